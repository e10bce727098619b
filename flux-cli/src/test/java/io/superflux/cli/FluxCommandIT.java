package io.superflux.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;
import io.superflux.testkit.FluxWorkerProcess;

/** The built flux.jar, run as users run it, against a real broker. */
@ExtendWith(EmbeddedKafkaExtension.class)
class FluxCommandIT {
    private static final String TASK = "io.superflux.cli.testapp.RecordingTask";
    private static final String LOAD = FluxProcess.TEST_CLASSES.toString();

    private static Map<String, String> env(EmbeddedKafka kafka) {
        return Map.of("FLUX_KAFKA_BROKERS", kafka.bootstrapServers(), "FLUX_RETRY_TIME_SCALE", "0.001",
                "FLUX_CONSUMER_COMMIT_INTERVAL", "200ms");
    }

    private static Map<String, String> topic(String topic) {
        return Map.of("cli.test.topic", topic);
    }

    private static void produce(EmbeddedKafka kafka, String topic, List<String> values) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < values.size(); i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + (i % 40), values.get(i)));
            }
            producer.flush();
        }
    }

    private static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.value(), UTF_8)).collect(Collectors.toList());
    }

    private static void await(Duration timeout, java.util.function.BooleanSupplier condition, FluxWorkerProcess... watched)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            for (FluxWorkerProcess process : watched) {
                if (!process.isAlive()) {
                    fail("flux exited early with " + process.exitCode() + ":\n" + process.output());
                }
            }
            if (System.nanoTime() > deadline) {
                StringBuilder outputs = new StringBuilder();
                for (FluxWorkerProcess process : watched) {
                    outputs.append(process.output()).append("\n----\n");
                }
                fail("not reached within " + timeout + "\n" + outputs);
            }
            Thread.sleep(200);
        }
    }

    private static List<String> workload(int count, Predicate<Integer> poison, Predicate<Integer> flaky) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add((poison.test(i) ? "poison-" : flaky.test(i) ? "flaky-" : "v-") + i);
        }
        return values;
    }

    @Test
    void messagesFlowThroughTheStagesAndASigtermMidRunLosesNothing(EmbeddedKafka kafka) throws Exception {
        String topic = kafka.createUniqueTopic("e2e", 4);
        kafka.createTopic(topic + "-sink", 4);
        List<String> values = workload(3_000, i -> i % 600 == 7, i -> i % 100 == 3);
        Set<String> expected = values.stream().filter(v -> !v.startsWith("poison")).collect(Collectors.toSet());
        produce(kafka, topic, values);

        FluxWorkerProcess first = FluxProcess.start(env(kafka), topic(topic), null, "process", "--load", LOAD, TASK);
        await(Duration.ofSeconds(60), () -> kafka.readAll(topic + "-sink", 300, Duration.ofSeconds(1)).size() >= 300, first);
        first.terminate();
        assertEquals(0, first.waitFor(Duration.ofSeconds(60)), first.output());
        assertTrue(first.output().contains("stopped after a signal; offsets committed"), first.output());
        int handledBeforeRestart = kafka.readAll(topic + "-sink", 0, Duration.ofSeconds(1)).size();
        assertTrue(handledBeforeRestart < expected.size(), "the SIGTERM came mid-run: " + handledBeforeRestart);

        FluxWorkerProcess second = FluxProcess.start(env(kafka), topic(topic), null, "process", "--load", LOAD, TASK);
        await(Duration.ofSeconds(90), () -> new HashSet<>(values(kafka.readAll(topic + "-sink", expected.size(),
                Duration.ofSeconds(2)))).size() == expected.size()
                && kafka.readAll(topic + "-recorder-dlq", 5, Duration.ofSeconds(1)).size() == 5, second);
        second.terminate();
        assertEquals(0, second.waitFor(Duration.ofSeconds(60)), second.output());

        List<String> handled = values(kafka.readAll(topic + "-sink", expected.size(), Duration.ofSeconds(10)));
        assertEquals(expected, new HashSet<>(handled), "every message handled, none lost");
        assertEquals(expected.size(), handled.size(), "none handled twice across the graceful restart");
        List<String> dead = values(kafka.readAll(topic + "-recorder-dlq", 5, Duration.ofSeconds(10)));
        assertEquals(values.stream().filter(v -> v.startsWith("poison")).collect(Collectors.toSet()), new HashSet<>(dead));
        assertEquals(30, kafka.readAll(topic + "-recorder-try-1", 35, Duration.ofSeconds(5)).stream()
                .filter(r -> new String(r.value(), UTF_8).startsWith("flaky")).count(), "each flaky message retried once");
        assertTrue(second.output().contains("stage 0 (main, topic " + topic + ", group recorder): assigned partitions [0, 1, 2, 3]"),
                second.output());
    }

    @Test
    void twoInstancesSplitThePartitionsAndTogetherHandleEverything(EmbeddedKafka kafka) throws Exception {
        String topic = kafka.createUniqueTopic("pair", 4);
        kafka.createTopic(topic + "-sink", 4);
        List<String> values = workload(2_000, i -> false, i -> i % 50 == 1);
        produce(kafka, topic, values);

        FluxWorkerProcess a = FluxProcess.start(env(kafka), topic(topic), null, "process", "--load", LOAD, "--stages", "0-1", TASK);
        FluxWorkerProcess b = FluxProcess.start(env(kafka), topic(topic), null, "process", "--load", LOAD, TASK);
        await(Duration.ofSeconds(90), () -> new HashSet<>(values(kafka.readAll(topic + "-sink", values.size(),
                Duration.ofSeconds(2)))).size() == values.size(), a, b);
        a.terminate();
        b.terminate();
        assertEquals(0, a.waitFor(Duration.ofSeconds(60)), a.output());
        assertEquals(0, b.waitFor(Duration.ofSeconds(60)), b.output());

        Set<Integer> partitionsOfA = lastMainAssignment(a.output(), topic);
        Set<Integer> partitionsOfB = lastMainAssignment(b.output(), topic);
        assertTrue(!partitionsOfA.isEmpty() && !partitionsOfB.isEmpty(), "both had partitions: " + partitionsOfA + " " + partitionsOfB);
        assertEquals(Set.of(0, 1, 2, 3), union(partitionsOfA, partitionsOfB));
        assertEquals(Set.of(), intersection(partitionsOfA, partitionsOfB), "split, not shared");
    }

    private static Set<Integer> lastMainAssignment(String output, String topic) {
        Matcher matcher = Pattern.compile("stage 0 \\(main, topic " + Pattern.quote(topic)
                + ", group recorder\\): assigned partitions \\[([0-9, ]*)\\]").matcher(output);
        String last = null;
        while (matcher.find()) {
            last = matcher.group(1);
        }
        Set<Integer> partitions = new TreeSet<>();
        if (last != null && !last.isBlank()) {
            for (String number : last.split(",\\s*")) {
                partitions.add(Integer.parseInt(number.trim()));
            }
        }
        return partitions;
    }

    private static Set<Integer> union(Set<Integer> a, Set<Integer> b) {
        Set<Integer> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    private static Set<Integer> intersection(Set<Integer> a, Set<Integer> b) {
        Set<Integer> both = new TreeSet<>(a);
        both.retainAll(b);
        return both;
    }

    @Test
    void produceWritesAValueOrEveryLineOfStdin(EmbeddedKafka kafka) throws Exception {
        String topic = kafka.createUniqueTopic("produced", 2);
        FluxWorkerProcess one = FluxProcess.run(env(kafka), Map.of(), null,
                "produce", "--topic", topic, "--key", "k1", "--header", "source=cli", "--header", "n=1", "hello");
        assertEquals(0, one.exitCode(), one.output());
        assertTrue(one.output().contains("Produced 1 of 1 message(s) to " + topic), one.output());
        FluxWorkerProcess lines = FluxProcess.run(env(kafka), Map.of(), "a\nb\nc\n", "produce", "--topic", topic);
        assertEquals(0, lines.exitCode(), lines.output());
        assertTrue(lines.output().contains("Produced 3 of 3 message(s)"), lines.output());

        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll(topic, 4, Duration.ofSeconds(20));
        assertEquals(Set.of("hello", "a", "b", "c"), new HashSet<>(values(records)));
        ConsumerRecord<byte[], byte[]> hello = records.stream().filter(r -> new String(r.value(), UTF_8).equals("hello"))
                .findFirst().orElseThrow();
        assertEquals("k1", new String(hello.key(), UTF_8));
        assertEquals("cli", new String(hello.headers().lastHeader("source").value(), UTF_8));
        assertEquals("1", new String(hello.headers().lastHeader("n").value(), UTF_8));

        FluxWorkerProcess viaClass = FluxProcess.run(env(kafka), Map.of(), null, "produce", "--load",
                System.getProperty("examples.jar"), "com.acme.AwesomeProducer", "x");
        assertEquals(1, viaClass.exitCode(), "the examples' topic 'awesome' does not exist here: " + viaClass.output());
        assertTrue(viaClass.output().contains("message(s) were not delivered"), viaClass.output());
    }

    @Test
    void topicsCreateAndDescribe(EmbeddedKafka kafka) throws Exception {
        String topic = "fresh-" + System.nanoTime();
        FluxWorkerProcess create = FluxProcess.run(env(kafka), topic(topic), null,
                "topics", "create", "--load", LOAD, "--partitions", "3", TASK);
        assertEquals(0, create.exitCode(), create.output());
        for (String stageTopic : List.of(topic, topic + "-recorder-try-1", topic + "-recorder-try-2", topic + "-recorder-dlq")) {
            assertEquals(3, kafka.partitionCount(stageTopic), stageTopic);
            assertTrue(create.output().contains(stageTopic), create.output());
        }
        produce(kafka, topic, List.of("m1", "m2", "m3", "m4", "m5"));
        FluxWorkerProcess describe = FluxProcess.run(env(kafka), topic(topic), null, "topics", "describe", "--load", LOAD, TASK);
        assertEquals(0, describe.exitCode(), describe.output());
        assertTrue(describe.output().matches("(?s).*0\\s+main\\s+" + Pattern.quote(topic) + "\\s+recorder\\s+3\\s+5\\s+-.*"),
                describe.output());
        assertTrue(describe.output().matches("(?s).*3\\s+dead-letter\\s+" + Pattern.quote(topic) + "-recorder-dlq\\s+recorder-3\\s+3\\s+0\\s+-.*"),
                describe.output());

        FluxWorkerProcess missingInput = FluxProcess.run(env(kafka), topic("absent-" + System.nanoTime()), null,
                "topics", "create", "--load", LOAD, TASK);
        assertEquals(1, missingInput.exitCode(), missingInput.output());
        assertTrue(missingInput.output().contains("does not exist on cluster 'default'"), missingInput.output());
    }

    @Test
    void topicsPlanShowsWhatIsPendingProcessRefusesUnsafeTopicsAndCreateFixesThem(EmbeddedKafka kafka) throws Exception {
        Map<String, String> realTime = Map.of("FLUX_KAFKA_BROKERS", kafka.bootstrapServers()); // waits of 74 s and more
        String topic = kafka.createUniqueTopic("planned", 2);
        kafka.createTopic(topic + "-recorder-try-1", 1, Map.of("retention.ms", "1000"));

        FluxWorkerProcess plan = FluxProcess.run(realTime, topic(topic), null, "topics", "plan", "--detailed-exitcode", "--load", LOAD, TASK);
        assertEquals(2, plan.exitCode(), plan.output());
        assertTrue(plan.output().matches("(?s).*\\+ create\\s+" + Pattern.quote(topic) + "-recorder-try-2\\s+partitions=2.*"), plan.output());
        assertTrue(plan.output().matches("(?s).*~ grow\\s+" + Pattern.quote(topic) + "-recorder-try-1\\s+partitions -> 2.*"), plan.output());
        assertTrue(plan.output().contains("retention.ms: 1000 -> 604800000"), plan.output());
        assertTrue(plan.output().contains("unsafe: " + topic + "-recorder-try-1 keeps records for retention.ms=1000"), plan.output());
        assertTrue(plan.output().contains("Plan: 2 to create, 2 to change."), plan.output());

        FluxWorkerProcess refused = FluxProcess.run(realTime, topic(topic), null, "process", "--load", LOAD, TASK);
        assertEquals(2, refused.exitCode(), refused.output());
        assertTrue(refused.output().contains("flux: configuration error: Unsafe stage topics for RecordingTask"), refused.output());
        assertTrue(refused.output().contains("flux.topics.allow-short-retention"), refused.output());

        FluxWorkerProcess create = FluxProcess.run(realTime, topic(topic), null, "topics", "create", "--load", LOAD, TASK);
        assertEquals(0, create.exitCode(), create.output());
        assertTrue(create.output().contains("Done: 2 to create, 2 to change."), create.output());
        FluxWorkerProcess again = FluxProcess.run(realTime, topic(topic), null, "topics", "plan", "--detailed-exitcode", "--load", LOAD, TASK);
        assertEquals(0, again.exitCode(), again.output());
        assertTrue(again.output().contains("No changes: the stage topics are up to date."), again.output());
    }

    @Test
    void dlqReplayMovesDeadLettersBackToStageZeroOnce(EmbeddedKafka kafka) throws Exception {
        String topic = kafka.createUniqueTopic("replay", 2);
        kafka.createTopic(topic + "-sink", 2);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 3; i++) {
                ProducerRecord<String, String> record = new ProducerRecord<>(topic, "key-" + i, "poison-" + i);
                record.headers().add("tenant", ("t" + i).getBytes(UTF_8));
                producer.send(record).get();
            }
        }
        String dlq = topic + "-recorder-dlq";
        FluxWorkerProcess worker = FluxProcess.start(env(kafka), topic(topic), null, "process", "--load", LOAD, TASK);
        await(Duration.ofSeconds(60), () -> kafka.readAll(dlq, 3, Duration.ofSeconds(1)).size() == 3, worker);
        worker.terminate();
        assertEquals(0, worker.waitFor(Duration.ofSeconds(60)), worker.output());

        FluxWorkerProcess dry = FluxProcess.run(env(kafka), topic(topic), null, "dlq", "replay", "--load", LOAD, "--dry-run", TASK);
        assertEquals(0, dry.exitCode(), dry.output());
        assertTrue(dry.output().contains("Would replay 3 dead letter(s) from " + dlq + " to stage 0 (" + topic + ")"), dry.output());
        assertEquals(3, kafka.readAll(topic, 3, Duration.ofSeconds(2)).size(), "a dry run produces nothing");

        FluxWorkerProcess limited = FluxProcess.run(env(kafka), topic(topic), null, "dlq", "replay", "--load", LOAD, "--limit", "2", TASK);
        assertEquals(0, limited.exitCode(), limited.output());
        assertTrue(limited.output().contains("Replayed 2 dead letter(s)"), limited.output());
        FluxWorkerProcess rest = FluxProcess.run(env(kafka), topic(topic), null, "dlq", "replay", "--load", LOAD, TASK);
        assertTrue(rest.output().contains("Replayed 1 dead letter(s)"), rest.output());
        FluxWorkerProcess again = FluxProcess.run(env(kafka), topic(topic), null, "dlq", "replay", "--load", LOAD, TASK);
        assertTrue(again.output().contains("Replayed 0 dead letter(s)"), "each dead letter is replayed once: " + again.output());

        List<ConsumerRecord<byte[], byte[]>> main = kafka.readAll(topic, 6, Duration.ofSeconds(10));
        assertEquals(6, main.size(), "3 originals + 3 replayed, none lost, none doubled");
        List<ConsumerRecord<byte[], byte[]>> replayed = main.stream()
                .filter(r -> r.headers().lastHeader("tenant") != null).collect(Collectors.toList());
        Map<String, Integer> perValue = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : replayed) {
            perValue.merge(new String(record.value(), UTF_8), 1, Integer::sum);
            String value = new String(record.value(), UTF_8);
            assertEquals("key-" + value.substring("poison-".length()), new String(record.key(), UTF_8), "key kept");
            assertEquals("t" + value.substring("poison-".length()),
                    new String(record.headers().lastHeader("tenant").value(), UTF_8), "application header kept");
            for (Header header : record.headers()) {
                assertTrue(!header.key().startsWith("flux-") || header.key().equals("flux-replays"),
                        "no failure headers on a replayed record: " + header.key());
            }
        }
        assertEquals(Map.of("poison-0", 2, "poison-1", 2, "poison-2", 2), perValue);
        assertEquals(List.of("1", "1", "1"), main.stream().filter(r -> r.headers().lastHeader("flux-replays") != null)
                .map(r -> new String(r.headers().lastHeader("flux-replays").value(), UTF_8)).toList(),
                "the three replayed copies count their replay");
    }

    @Test
    void dlqShowStatsAndFilteredReplaysEachDeadLetterOnce(EmbeddedKafka kafka) throws Exception {
        String topic = kafka.createUniqueTopic("dlq-ops", 2);
        kafka.createTopic(topic + "-sink", 2);
        produce(kafka, topic, List.of("poison-0", "poison-1", "poison-2", "invalid-0", "invalid-1"));
        String dlq = topic + "-recorder-dlq";
        FluxWorkerProcess worker = FluxProcess.start(env(kafka), topic(topic), null, "process", "--load", LOAD, TASK);
        await(Duration.ofSeconds(60), () -> kafka.readAll(dlq, 5, Duration.ofSeconds(1)).size() == 5, worker);
        worker.terminate();
        assertEquals(0, worker.waitFor(Duration.ofSeconds(60)), worker.output());

        FluxWorkerProcess json = dlq(kafka, topic, "show", "--json");
        assertEquals(0, json.exitCode(), json.output());
        List<JsonNode> shown = json.output().lines().filter(l -> l.startsWith("{")).map(FluxCommandIT::parseJson).toList();
        assertEquals(5, shown.size(), json.output());
        for (JsonNode letter : shown) {
            assertEquals(topic, letter.get("origin").get("topic").asText());
            assertEquals(List.of(0, 1, 2), java.util.stream.StreamSupport.stream(letter.get("failures").spliterator(), false)
                    .map(f -> f.get("stage").asInt()).toList(), letter.toString());
            assertTrue(letter.get("age_seconds").asLong() >= 0 && letter.get("key").asText().contains("-"), letter.toString());
            assertEquals(letter.get("message").asText().startsWith("poison") ? "java.lang.IllegalStateException"
                    : "java.lang.IllegalArgumentException", letter.get("exception").asText(), letter.toString());
        }
        FluxWorkerProcess filtered = dlq(kafka, topic, "show", "--exception", "IllegalArgumentException");
        assertTrue(filtered.output().contains("2 of 2 dead letter(s) shown (--exception IllegalArgumentException)"),
                filtered.output());
        JsonNode first = shown.get(0);
        FluxWorkerProcess one = dlq(kafka, topic, "show", "--partition", first.get("partition").asText(), "--offset",
                first.get("offset").asText());
        assertTrue(one.output().contains("1 of 1 dead letter(s) shown"), one.output());
        FluxWorkerProcess stats = dlq(kafka, topic, "stats");
        assertEquals(0, stats.exitCode(), stats.output());
        assertTrue(stats.output().contains("5 dead letter(s) in " + dlq), stats.output());
        assertTrue(stats.output().matches("(?s).*\s3\s+java.lang.IllegalStateException.*"), stats.output());
        assertTrue(stats.output().matches("(?s).*\s2\s+java.lang.IllegalArgumentException.*"), stats.output());
        assertTrue(stats.output().matches("(?s).*\s5\s+" + java.time.LocalDate.now(java.time.ZoneOffset.UTC) + ".*"),
                stats.output());

        assertTrue(dlq(kafka, topic, "replay", "--exception", "java.lang.IllegalArgumentException").output()
                .contains("Replayed 2 dead letter(s)"));
        assertTrue(dlq(kafka, topic, "replay", "--key", "key-1").output().contains("Replayed 1 dead letter(s)"));
        FluxWorkerProcess rest = dlq(kafka, topic, "replay");
        assertTrue(rest.output().contains("Replayed 2 dead letter(s)"), "the two no filter took: " + rest.output());
        assertTrue(dlq(kafka, topic, "replay").output().contains("Replayed 0 dead letter(s)"));
        List<ConsumerRecord<byte[], byte[]>> main = kafka.readAll(topic, 10, Duration.ofSeconds(10));
        Map<String, Long> perValue = main.stream().collect(Collectors.groupingBy(r -> new String(r.value(), UTF_8),
                Collectors.counting()));
        assertEquals(Map.of("poison-0", 2L, "poison-1", 2L, "poison-2", 2L, "invalid-0", 2L, "invalid-1", 2L), perValue,
                "each dead letter replayed exactly once");

        // The replayed records fail again and come back with flux-replays = 1: --max-replays 1 skips them.
        FluxWorkerProcess again = FluxProcess.start(env(kafka), topic(topic), null, "process", "--load", LOAD, TASK);
        await(Duration.ofSeconds(60), () -> kafka.readAll(dlq, 10, Duration.ofSeconds(1)).size() == 10, again);
        again.terminate();
        assertEquals(0, again.waitFor(Duration.ofSeconds(60)), again.output());
        FluxWorkerProcess capped = dlq(kafka, topic, "replay", "--max-replays", "1");
        assertTrue(capped.output().contains("Replayed 0 dead letter(s)")
                && capped.output().contains("Skipped 5 dead letter(s) replayed 1 times or more"), capped.output());
    }

    /**
     * Under exactly-once the dead letters are written in transactions: a dead letter of an aborted
     * transaction was never one — show, stats and replay see only committed ones.
     */
    @Test
    void dlqCommandsSeeOnlyCommittedDeadLetters(EmbeddedKafka kafka) throws Exception {
        String topic = kafka.createUniqueTopic("dlq-eos", 1);
        String dlq = topic + "-recorder-dlq";
        for (String stageTopic : List.of(topic + "-recorder-try-1", topic + "-recorder-try-2", dlq)) {
            kafka.createTopic(stageTopic, 1);
        }
        kafka.awaitLeaders(List.of(topic, dlq), Duration.ofSeconds(30));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                topic + "-tx"), new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(dlq, "key-aborted", "aborted"));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(dlq, "key-committed", "committed"));
            producer.commitTransaction();
        }
        FluxWorkerProcess show = dlq(kafka, topic, "show", "--json");
        assertEquals(0, show.exitCode(), show.output());
        List<String> shown = show.output().lines().filter(line -> line.startsWith("{")).toList();
        assertEquals(1, shown.size(), show.output());
        assertEquals("key-committed", parseJson(shown.get(0)).get("key").asText());
        assertTrue(dlq(kafka, topic, "stats").output().contains("1 dead letter(s) in " + dlq));
        assertTrue(dlq(kafka, topic, "replay").output().contains("Replayed 1 dead letter(s)"));
        assertEquals(List.of("committed"), values(kafka.readAll(topic, 1, Duration.ofSeconds(10))));
    }

    private FluxWorkerProcess dlq(EmbeddedKafka kafka, String topic, String command, String... options) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("dlq", command, "--load", LOAD));
        args.addAll(List.of(options));
        args.add(TASK);
        return FluxProcess.run(env(kafka), topic(topic), null, args.toArray(String[]::new));
    }

    private static JsonNode parseJson(String line) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void backoffTsvMatchesTheDefaultSchedule() throws Exception {
        FluxWorkerProcess tsv = FluxProcess.run(Map.of(), Map.of(), null, "backoff", "--tsv", "--retries", "25");
        assertEquals(0, tsv.exitCode(), tsv.output());
        List<String> lines = tsv.output().lines().filter(l -> !l.isBlank()).toList();
        assertEquals("stage\twait_s\ttotal_s", lines.get(0));
        assertEquals(26, lines.size(), tsv.output());
        double total = 0;
        for (int n = 1; n <= 25; n++) {
            String[] columns = lines.get(n).split("\t");
            assertEquals(3, columns.length, lines.get(n));
            double expected = Math.pow(n, 4) + 15 + 14.5 * (n + 1);
            total += expected;
            assertEquals(n, Integer.parseInt(columns[0]));
            assertEquals(expected, Double.parseDouble(columns[1]), 1e-6, "stage " + n);
            assertEquals(total, Double.parseDouble(columns[2]), 1e-6, "total to stage " + n);
        }
    }

    @Test
    void anUnreachableBrokerIsAClearErrorWithinBoundedTime() throws Exception {
        long started = System.nanoTime();
        FluxWorkerProcess process = FluxProcess.run(Map.of("FLUX_KAFKA_BROKERS", "127.0.0.1:1", "FLUX_STARTUP_TIMEOUT", "3s"),
                topic("nowhere"), null, "process", "--load", LOAD, TASK);
        assertEquals(1, process.exitCode(), process.output());
        assertTrue(process.output().contains("did not answer within 3s (flux.startup-timeout)"), process.output());
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 60, "bounded, not a hang");
    }
}
