package io.superflux.task;

import static java.nio.charset.StandardCharsets.UTF_8;
import static io.superflux.task.TaskTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.superflux.SuperFlux;
import io.superflux.internal.headers.RetryHeaders;
import io.superflux.retry.StagePlan;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

/** A retry stage holds a partition whose next record is not due, and only that partition. */
@ExtendWith(EmbeddedKafkaExtension.class)
class TaskThrottleTest {
    private static final long HOLD_MS = 3_000;

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    @Test
    void aHeldPartitionDoesNotHoldUpAnotherAndNothingIsHandledEarly(EmbeddedKafka kafka) throws Exception {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("throttle", 2);
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(1), message -> { });
        StagePlan plan = task.spec().plan();
        SuperFlux.start(task, "1"); // the retry stage alone; this creates its topic

        long now = System.currentTimeMillis();
        long later = now + HOLD_MS;
        try (KafkaProducer<String, String> raw = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            String retryTopic = plan.stage(1).topic();
            raw.send(new ProducerRecord<>(retryTopic, 0, "k", "p0-later", due(later))).get(10, TimeUnit.SECONDS);
            raw.send(new ProducerRecord<>(retryTopic, 0, "k", "p0-after-it", due(now))).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 20; i++) {
                raw.send(new ProducerRecord<>(retryTopic, 1, "k", "p1-" + i, due(now + i))).get(10, TimeUnit.SECONDS);
            }
        }

        await(Duration.ofSeconds(20), () -> task.handled.size() == 22, () -> "handled " + task.handled.size());
        List<ScriptedTask.Call> calls = List.copyOf(task.calls);
        long lastOfPartitionOne = calls.stream().filter(c -> c.message().partition() == 1).mapToLong(ScriptedTask.Call::at)
                .max().orElseThrow();
        long held = calls.stream().filter(c -> c.message().value().equals("p0-later")).mapToLong(ScriptedTask.Call::at)
                .findFirst().orElseThrow();
        long after = calls.stream().filter(c -> c.message().value().equals("p0-after-it")).mapToLong(ScriptedTask.Call::at)
                .findFirst().orElseThrow();
        assertTrue(lastOfPartitionOne < later, "partition 1 finished " + (later - lastOfPartitionOne) + " ms before partition 0 was due");
        assertTrue(held >= later, "the held record was handled " + (held - later) + " ms after its due time");
        assertTrue(after >= held, "the record behind it waited for it");
        assertEquals(List.of(), List.copyOf(task.earlyCalls));
        assertEquals(List.of("p0-later", "p0-after-it"), calls.stream().filter(c -> c.message().partition() == 0)
                .map(c -> c.message().value()).toList(), "order within the held partition");
    }

    @Test
    void aRetryRecordWithoutAReadableDueTimeWaitsTheStagesLongestWaitFromItsTimestamp(EmbeddedKafka kafka) throws Exception {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("malformed", 1);
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(1)
                .backoff(io.superflux.retry.Backoff.fixed(Duration.ofSeconds(HOLD_MS))), message -> { }); // HOLD_MS at 0.001
        SuperFlux.start(task, "1");
        Map<String, String> dueHeaders = new java.util.LinkedHashMap<>();
        dueHeaders.put("plus", "+1");
        dueHeaders.put("newline", "1\n");
        dueHeaders.put("dash", "-");
        dueHeaders.put("twenty-digits", "99999999999999999999");
        dueHeaders.put("missing", null);
        Map<String, Long> timestamps = new java.util.HashMap<>();
        try (KafkaProducer<String, String> raw = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (Map.Entry<String, String> entry : dueHeaders.entrySet()) {
                RecordHeaders headers = new RecordHeaders();
                if (entry.getValue() != null) {
                    headers.add(RetryHeaders.DUE_AT, entry.getValue().getBytes(UTF_8));
                }
                timestamps.put(entry.getKey(), raw.send(new ProducerRecord<>(task.spec().plan().stage(1).topic(), 0, "k",
                        entry.getKey(), headers)).get(10, TimeUnit.SECONDS).timestamp());
            }
        }

        await(Duration.ofSeconds(20), () -> task.handled.size() == 5, () -> "handled " + task.handled.size());
        for (ScriptedTask.Call call : task.calls) {
            long waited = call.at() - timestamps.get(call.message().value());
            assertTrue(waited >= HOLD_MS, call.message().value() + " was handled after " + waited + " ms, before the stage's wait");
        }
    }

    @Test
    void anIdleRetryStageRestsBetweenSweepsAndStillHandlesWhatArrivesDuringARest(EmbeddedKafka kafka) throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).clientId("rest-test").retryTimeScale(1.0)
                .meterRegistry(meters).shutdownTimeout(Duration.ofSeconds(20)));
        String topic = kafka.createUniqueTopic("rest", 2);
        Duration wait = Duration.ofSeconds(2); // stage 1 rests 1 s between sweeps
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(1)
                .backoff(io.superflux.retry.Backoff.fixed(wait)), message -> { });
        SuperFlux.start(task, "1");
        Thread.sleep(3_000); // joined, first sweep done
        double before = fetches(meters);
        Thread.sleep(4_000);
        double fetched = fetches(meters) - before;
        // Fetching continuously with the retry stages' 100 ms long-poll sends about 40 requests in
        // 4 s; resting 1 s between sweeps of at least 150 ms, at most about 4 × 2 per sweep.
        assertTrue(fetched <= 16, fetched + " fetch requests in 4 idle seconds");

        long forwardedAt = System.currentTimeMillis(); // as a forward from stage 0 would be: due one wait later
        try (KafkaProducer<String, String> raw = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 10; i++) {
                raw.send(new ProducerRecord<>(task.spec().plan().stage(1).topic(), i % 2, "k", "r" + i,
                        due(forwardedAt + wait.toMillis()))).get(10, TimeUnit.SECONDS);
            }
        }
        await(Duration.ofSeconds(20), () -> task.handled.size() == 10, () -> "handled " + task.handled.size());
        assertEquals(List.of(), List.copyOf(task.earlyCalls));
    }

    @Test
    void theWaitingGaugeCountsRecordsThatArriveBehindAHeldRecord(EmbeddedKafka kafka) throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).clientId("waiting-test").retryTimeScale(1.0)
                .meterRegistry(meters).set("flux.consumer.commit-interval", "200ms").shutdownTimeout(Duration.ofSeconds(20)));
        String topic = kafka.createUniqueTopic("waiting", 1);
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(1)
                .backoff(io.superflux.retry.Backoff.fixed(Duration.ofMinutes(10))), message -> { });
        SuperFlux.start(task, "1");
        String retryTopic = task.spec().plan().stage(1).topic();
        long later = System.currentTimeMillis() + Duration.ofMinutes(10).toMillis();
        try (KafkaProducer<String, String> raw = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            raw.send(new ProducerRecord<>(retryTopic, 0, "k", "first", due(later))).get(10, TimeUnit.SECONDS);
            await(Duration.ofSeconds(20), () -> waiting(meters) == 1, () -> "waiting " + waiting(meters));
            // The partition is held (paused) now: the consumer fetches nothing more from it.
            for (int i = 0; i < 3; i++) {
                raw.send(new ProducerRecord<>(retryTopic, 0, "k", "behind-" + i, due(later))).get(10, TimeUnit.SECONDS);
            }
        }
        await(Duration.ofSeconds(30), () -> waiting(meters) == 4, () -> "waiting " + waiting(meters)
                + " while the retry topic holds 4 records not yet due");
        assertEquals(List.of(), List.copyOf(task.calls));
    }

    private static double waiting(MeterRegistry meters) {
        return meters.find("flux.stage.waiting").gauges().stream().mapToDouble(io.micrometer.core.instrument.Gauge::value).sum();
    }

    private static double fetches(MeterRegistry meters) {
        return meters.find("kafka.consumer.fetch.manager.fetch.total").functionCounters().stream()
                .mapToDouble(FunctionCounter::count).sum();
    }

    private static RecordHeaders due(long at) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(RetryHeaders.DUE_AT, Long.toString(at).getBytes(UTF_8));
        return headers;
    }
}
