package io.superflux.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;
import io.superflux.testkit.FluxWorkerProcess;

/**
 * Applications on flux.jar as users build them: a task created by its factory method from its own
 * configuration (each source), its lifecycle around the stages (an open that throws included),
 * and an application that brings a Jackson of its own next to Flux's JSON serde.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class ApplicationIT {
    private static final String LOAD = FluxProcess.TEST_CLASSES.toString();
    private static final String LIFECYCLE = "io.superflux.cli.testapp.LifecycleTask";

    @Test
    void lifecycleAroundTheStagesWithSettingsFromEverySource(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
        String topic = kafka.createUniqueTopic("lifecycle", 2);
        Path events = dir.resolve("events.txt");
        Path config = dir.resolve("app.conf");
        Files.writeString(config, "lifecycle.from-file = \"config file\"\nlifecycle.from-property = \"config file\"\n");
        FluxWorkerProcess worker = FluxProcess.start(env(kafka, Map.of("LIFECYCLE_FROM_ENV", "environment")),
                Map.of("cli.test.topic", topic, "lifecycle.events-file", events.toString(),
                        "lifecycle.from-property", "system property"),
                null, "process", "--load", LOAD, "--config", config.toString(), LIFECYCLE);
        produce(kafka, topic, List.of("a-0", "a-1", "a-2", "fail-0", "a-3", "a-4"));
        await(() -> lines(events).stream().filter(line -> line.startsWith("call ")).count() >= 7, worker, events);
        worker.terminate();
        assertEquals(0, worker.waitFor(Duration.ofSeconds(60)), worker.output());

        List<String> lines = lines(events);
        assertEquals("open conf=application.conf file=config file property=system property env=environment stages=[0, 1, 2]",
                lines.get(0), "each setting from its source, read in the factory method and in open");
        assertEquals("close committed=6", lines.get(lines.size() - 1), "close ran once, after the final commit: " + lines);
        assertEquals(1, lines.stream().filter(line -> line.startsWith("close")).count());
        Set<String> held = new HashSet<>();
        List<String> outside = new ArrayList<>();
        for (String line : lines) {
            String[] words = line.split(" ");
            switch (words[0]) {
                case "assigned" -> assertTrue(held.add(words[1]), "assigned twice: " + line);
                case "revoked" -> assertTrue(held.remove(words[1]), "revoked without being assigned: " + line);
                case "call" -> {
                    if (!held.contains(words[1])) {
                        outside.add(line);
                    }
                }
                default -> { }
            }
        }
        assertEquals(List.of(), outside, "every call between onAssigned and onRevoked of its partition: " + lines);
        assertEquals(Set.of(), held, "every partition given back at the stop: " + lines);
        assertTrue(lines.stream().anyMatch(line -> line.startsWith("call 1/") && line.endsWith(" fail-0")),
                "the failed one called again in stage 1: " + lines);
    }

    @Test
    void anOpenThatThrowsStopsTheWorkerBeforeAnythingIsRead(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
        String topic = kafka.createUniqueTopic("lifecycle-open", 2);
        produce(kafka, topic, List.of("a-0", "a-1"));
        Path events = dir.resolve("events.txt");
        FluxWorkerProcess worker = FluxProcess.run(env(kafka, Map.of()), Map.of("cli.test.topic", topic,
                "lifecycle.events-file", events.toString(), "lifecycle.fail-open", "true"), null,
                "process", "--load", LOAD, LIFECYCLE);
        assertEquals(1, worker.exitCode(), worker.output());
        List<String> errors = worker.output().lines().filter(line -> line.startsWith("flux:")).toList();
        assertEquals(1, errors.size(), worker.output());
        assertTrue(errors.get(0).startsWith("flux: error: " + LIFECYCLE + ".open(TaskContext) threw java.io.IOException: the"
                + " database at db.example:5432 refused the connection"), errors.get(0));
        List<String> lines = lines(events);
        assertEquals(1, lines.size(), "open, and nothing after it (no hook, no call, no close): " + lines);
        assertTrue(lines.get(0).startsWith("open "), lines.toString());
        assertTrue(kafka.admin().listConsumerGroupOffsets("lifecycle").partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS).keySet().stream().noneMatch(partition -> partition.topic().equals(topic)),
                "nothing consumed");
    }

    @Test
    void anApplicationsOwnJacksonNextToFluxsJsonSerde(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
        Path classes = Files.createDirectories(dir.resolve("app").resolve("classes"));
        Path lib = Files.createDirectories(dir.resolve("app").resolve("lib"));
        List<Path> newerJackson;
        try (var jars = Files.list(Path.of(System.getProperty("isolation.lib", "target/isolation-lib")))) {
            newerJackson = jars.sorted().toList();
        }
        for (Path jar : newerJackson) {
            Files.copy(jar, lib.resolve(jar.getFileName()));
        }
        compile(Path.of("src", "test", "apps", "isolation"), classes, newerJackson);
        String topic = kafka.createUniqueTopic("isolation", 2);
        kafka.createTopic(topic + "-sink", 2);
        produce(kafka, topic, List.of("{\"id\":\"o-1\",\"placedAt\":\"2026-12-03T08:15:30Z\"}",
                "{\"id\":\"o-2\",\"placedAt\":\"2026-12-03T09:00:00.5Z\",\"extra\":1}"));

        // A path list: the classes, then the libraries as java -cp's dir/* wildcard.
        FluxWorkerProcess worker = FluxProcess.start(env(kafka, Map.of()), Map.of("cli.test.topic", topic), null,
                "process", "--load", classes + ":" + lib + "/*", "com.example.isolation.IsolatedJsonTask");
        List<ConsumerRecord<byte[], byte[]>> out = kafka.readAll(topic + "-sink", 2, Duration.ofSeconds(60));
        worker.terminate();
        assertEquals(0, worker.waitFor(Duration.ofSeconds(60)), worker.output());
        ObjectMapper mapper = new ObjectMapper();
        Map<String, String> placedAt = new java.util.TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record : out) {
            JsonNode json = mapper.readTree(record.value());
            assertEquals("2.22.3", json.get("appJackson").asText(), "the app's own Jackson: " + json);
            assertEquals(com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString(), json.get("fluxJackson").asText(),
                    "Flux's serde on flux.jar's Jackson: " + json);
            placedAt.put(json.at("/order/id").asText(), json.get("placedAt").asText());
        }
        assertEquals(Map.of("o-1", "2026-12-03T08:15:30Z", "o-2", "2026-12-03T09:00:00.500Z"), placedAt,
                "java.time read by Flux's serde, the JSON pointer written by the app's Jackson");
    }

    /** Compiles the sources under {@code sources} into {@code classes}, {@code first} ahead of this test's class path. */
    private static void compile(Path sources, Path classes, List<Path> first) throws Exception {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        List<String> arguments = new ArrayList<>(List.of("-d", classes.toString(), "-classpath",
                String.join(java.io.File.pathSeparator, first.stream().map(Path::toString).toList())
                        + java.io.File.pathSeparator + System.getProperty("java.class.path"), "--release", "17"));
        try (var files = Files.walk(sources)) {
            files.filter(file -> file.toString().endsWith(".java")).forEach(file -> arguments.add(file.toString()));
        }
        java.io.ByteArrayOutputStream errors = new java.io.ByteArrayOutputStream();
        int result = compiler.run(null, errors, errors, arguments.toArray(String[]::new));
        assertEquals(0, result, "the isolation app compiles: " + errors.toString(UTF_8));
    }

    private static Map<String, String> env(EmbeddedKafka kafka, Map<String, String> more) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("FLUX_KAFKA_BROKERS", kafka.bootstrapServers(),
                "FLUX_RETRY_TIME_SCALE", "0.001", "FLUX_CONSUMER_COMMIT_INTERVAL", "200ms"));
        env.putAll(more);
        return env;
    }

    private static void produce(EmbeddedKafka kafka, String topic, List<String> values) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < values.size(); i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + i, values.get(i))).get(10, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, UTF_8) : List.of();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void await(BooleanSupplier condition, FluxWorkerProcess worker, Path events) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (!worker.isAlive()) {
                fail("flux exited early with " + worker.exitCode() + ":\n" + worker.output());
            }
            if (System.nanoTime() > deadline) {
                fail("not reached in 60 s; events " + lines(events) + "\n" + worker.output());
            }
            Thread.sleep(50);
        }
    }
}
