package io.superflux.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs an {@link EmbeddedKafka} broker as a process of its own, for scripts (the demo, the
 * benchmark): {@code java -cp <testkit classpath> io.superflux.testkit.EmbeddedKafkaMain
 * [--bootstrap-file FILE] [--auto-create-topics]}. When the broker accepts clients it prints
 * {@code BOOTSTRAP_SERVERS=host:port} and, if asked, writes {@code host:port} to the file. It runs
 * until the process is stopped (SIGTERM/SIGINT) or its standard input closes, then deletes its data.
 */
public final class EmbeddedKafkaMain {
    private EmbeddedKafkaMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path bootstrapFile = null;
        EmbeddedKafka.Builder builder = EmbeddedKafka.builder();
        boolean watchStdin = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap-file" -> bootstrapFile = Path.of(args[++i]);
                case "--auto-create-topics" -> builder.brokerProperty("auto.create.topics.enable", true);
                case "--no-stdin" -> watchStdin = false;
                default -> {
                    System.err.println("usage: EmbeddedKafkaMain [--bootstrap-file FILE] [--auto-create-topics] [--no-stdin]");
                    System.exit(2);
                }
            }
        }
        EmbeddedKafka kafka = builder.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            stopped.countDown();
        }, "embedded-kafka-stop"));
        if (bootstrapFile != null) {
            Path partial = bootstrapFile.resolveSibling(bootstrapFile.getFileName() + ".tmp");
            Files.writeString(partial, kafka.bootstrapServers(), StandardCharsets.UTF_8);
            Files.move(partial, bootstrapFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        System.out.println("BOOTSTRAP_SERVERS=" + kafka.bootstrapServers());
        System.out.flush();
        if (watchStdin) {
            while (System.in.read() >= 0) {
                // wait for the parent to close our input
            }
            System.exit(0);
        }
        stopped.await();
    }
}
