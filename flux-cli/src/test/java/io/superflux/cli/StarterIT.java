package io.superflux.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;
import io.superflux.testkit.FluxWorkerProcess;

/**
 * The starter's round trip: {@code flux new} writes a project, {@code mvn -o verify} builds and
 * tests it against the local repository alone, and {@code flux process} runs its task (from the
 * packaged jar and its lib directory) against a real broker.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class StarterIT {
    @Test
    void aNewProjectBuildsOfflineAndItsTaskRunsOnFlux(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
        Path project = dir.resolve("orders");
        FluxWorkerProcess generated = FluxProcess.run(Map.of(), Map.of(), null, "new", "com.acme:orders", "--dir",
                project.toString());
        assertEquals(0, generated.exitCode(), generated.output());
        assertTrue(generated.output().contains("task com.acme.orders.OrdersTask"), generated.output());
        for (String file : List.of("pom.xml", "README.md", "src/main/java/com/acme/orders/OrdersTask.java",
                "src/test/java/com/acme/orders/OrdersTaskTest.java", "src/main/resources/application.conf",
                "deploy/orders.service", "deploy/entrypoint.sh", "Dockerfile")) {
            assertTrue(Files.isRegularFile(project.resolve(file)), file + " written");
        }
        assertTrue(Files.isExecutable(project.resolve("deploy/entrypoint.sh")));

        Path buildLog = dir.resolve("build.log");
        Process build = new ProcessBuilder(maven(), "-o", "-B", "verify").directory(project.toFile())
                .redirectErrorStream(true).redirectOutput(buildLog.toFile()).start();
        assertTrue(build.waitFor(5, TimeUnit.MINUTES), "the project's build ends within 5 minutes");
        String log = Files.readString(buildLog, UTF_8);
        assertEquals(0, build.exitValue(), "mvn -o -B verify in the new project:\n" + tail(log));
        assertTrue(log.contains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0"), tail(log));
        assertTrue(Files.isRegularFile(project.resolve("target/orders.jar")));

        String topic = kafka.createUniqueTopic("orders", 2);
        FluxWorkerProcess worker = FluxProcess.start(Map.of("FLUX_KAFKA_BROKERS", kafka.bootstrapServers(),
                        "ORDERS_TOPIC", topic, "ORDERS_GREETING", "Shipped"), Map.of(), null, "process", "--load",
                project.resolve("target/orders.jar") + ":" + project.resolve("target/lib") + "/*", "com.acme.orders.OrdersTask");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "k1", "order-1")).get(10, TimeUnit.SECONDS);
        }
        worker.awaitOutput(Pattern.compile("Shipped order-1 \\(key k1"), Duration.ofSeconds(60));
        worker.terminate();
        assertEquals(0, worker.waitFor(Duration.ofSeconds(60)), worker.output());
        assertTrue(worker.output().contains("OrdersTask closed"), "close ran: " + worker.output());
    }

    /** Maven as the build that runs this test found it, else the one on the PATH. */
    private static String maven() {
        String home = System.getProperty("maven.home");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "mvn"))) {
            return Path.of(home, "bin", "mvn").toString();
        }
        return "mvn";
    }

    private static String tail(String log) {
        return log.length() <= 6_000 ? log : log.substring(log.length() - 6_000);
    }
}
