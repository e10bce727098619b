package io.superflux.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One node (a combined KRaft broker and controller) of a {@link KafkaCluster}, run as a process
 * of its own so that a test can kill it: {@code java -cp <testkit classpath>
 * io.superflux.testkit.KafkaNodeMain <server.properties> <cluster id> [SCRAM credential]…}.
 * It formats its storage if it is not formatted yet (a restart finds its data as it left it),
 * adding the given SCRAM credentials ({@code SCRAM-SHA-256=[name=alice,password=secret]}), then
 * runs Kafka until it is stopped.
 */
public final class KafkaNodeMain {
    private KafkaNodeMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: KafkaNodeMain <server.properties> <cluster id> [SCRAM credential]...");
            System.exit(2);
        }
        Path properties = Path.of(args[0]);
        List<String> format = new ArrayList<>(List.of("format", "--ignore-formatted", "--cluster-id", args[1],
                "--config", properties.toString()));
        for (int i = 2; i < args.length; i++) {
            format.add("--add-scram");
            format.add(args[i]);
        }
        int formatted = kafka.tools.StorageTool.execute(format.toArray(String[]::new), System.out);
        if (formatted != 0) {
            System.err.println("formatting the storage of " + properties + " failed: " + formatted);
            System.exit(1);
        }
        if (!Files.isRegularFile(properties)) {
            System.exit(1);
        }
        kafka.Kafka.main(new String[] {properties.toString()});
    }
}
