package io.superflux.task;

import static io.superflux.task.TaskTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.producer.Producer;
import io.superflux.producer.ProducerSpec;
import io.superflux.retry.Backoff;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

/**
 * Ordered retries against a real broker: a held key's later records wait for its earlier one,
 * wherever it is in the chain, while other keys go on; the holds outlive the worker.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class TaskKeyOrderTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** One call: the record ("key:seq"), its stage, when, and whether it succeeded. */
    record Call(String value, int stage, long at, boolean succeeded) {
        String key() {
            return value.substring(0, value.indexOf(':'));
        }

        int seq() {
            return Integer.parseInt(value.substring(value.indexOf(':') + 1));
        }
    }

    /** Says whether a call fails. */
    interface Failing {
        boolean fails(String value, int stage, int callsSoFar);
    }

    /** Records every call; fails those the test says. */
    static final class OrderedTask extends Task<String> {
        final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
        final Map<String, AtomicInteger> callCounts = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<String> deadLetters = new ConcurrentLinkedQueue<>();
        private final Failing failing;

        OrderedTask(TaskSpec<String> spec, Failing failing) {
            super(spec);
            this.failing = failing;
        }

        @Override
        public void call(Message<String> message) {
            String value = message.value();
            int before = callCounts.computeIfAbsent(value, v -> new AtomicInteger()).getAndIncrement();
            boolean fails = failing.fails(value, message.stage(), before);
            calls.add(new Call(value, message.stage(), System.nanoTime(), !fails));
            if (fails) {
                throw new IllegalStateException("fails: " + value + " in stage " + message.stage());
            }
        }

        @Override
        public void deadLetter(Message<String> message) {
            deadLetters.add(message.value());
        }

        List<Call> succeeded() {
            return calls.stream().filter(Call::succeeded).toList();
        }

        Set<String> handled() {
            return calls.stream().filter(Call::succeeded).map(Call::value).collect(Collectors.toSet());
        }
    }

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    private static SimpleMeterRegistry configure(EmbeddedKafka kafka) {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).clientId("order-test")
                .set("flux.consumer.commit-interval", "100ms").meterRegistry(meters).shutdownTimeout(Duration.ofSeconds(20)));
        return meters;
    }

    /** Produces "key:seq" for each key and seq, keys interleaved, each key's in order; waits for every ack. */
    private static void produce(String topic, List<String> keys, int perKey, int firstSeq) throws Exception {
        Producer<String> producer = Producer.of(ProducerSpec.topic(topic));
        List<CompletableFuture<?>> deliveries = new ArrayList<>();
        for (int seq = firstSeq; seq < firstSeq + perKey; seq++) {
            for (String key : keys) {
                deliveries.add(producer.produce(key + ":" + seq, key));
            }
        }
        CompletableFuture.allOf(deliveries.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    /**
     * The ordering promise, per key: the first success of each record comes in sequence, and no
     * record is first called before every earlier record of its key reached its final outcome
     * (its first success, or its dead letter).
     */
    private static void assertOrdered(OrderedTask task, Set<String> deadLettered) {
        Map<String, List<Call>> byKey = task.calls.stream().collect(Collectors.groupingBy(Call::key));
        byKey.forEach((key, calls) -> {
            Map<Integer, Long> firstCall = new java.util.TreeMap<>();
            Map<Integer, Long> finalAt = new java.util.TreeMap<>();
            for (Call call : calls) {
                firstCall.merge(call.seq(), call.at(), Math::min);
                if (call.succeeded() || deadLettered.contains(call.value()) && call.stage() > 0) {
                    finalAt.merge(call.seq(), call.at(), Math::min);
                }
            }
            long previousFinal = Long.MIN_VALUE;
            int previous = -1;
            for (Map.Entry<Integer, Long> first : firstCall.entrySet()) {
                assertTrue(first.getValue() >= previousFinal, key + ":" + first.getKey() + " was called before " + key + ":"
                        + previous + " reached its final outcome");
                Long done = finalAt.get(first.getKey());
                if (done != null) {
                    previousFinal = done;
                    previous = first.getKey();
                }
            }
        });
    }

    @Test
    void aFailedRecordsKeyWaitsForItsRetryWhileOtherKeysGoOn(EmbeddedKafka kafka) throws Exception {
        SimpleMeterRegistry meters = configure(kafka);
        String topic = kafka.createUniqueTopic("order-wait", 2);
        OrderedTask task = new OrderedTask(TaskSpec.topic(topic).group("g").retries(2).backoff(Backoff.fixed(Duration.ofSeconds(2)))
                .keyOrder(KeyOrder.ordered()), (value, stage, before) -> value.equals("a:0") && stage == 0);
        Worker worker = SuperFlux.start(task);
        produce(topic, List.of("a", "b", "c"), 5, 0);

        await(WAIT, () -> task.handled().size() == 15, () -> "handled " + task.handled());
        List<Call> succeeded = task.succeeded();
        Call retried = succeeded.stream().filter(c -> c.value().equals("a:0")).findFirst().orElseThrow();
        assertEquals(1, retried.stage(), "a:0 is handled in its retry stage");
        for (Call call : succeeded) {
            if (call.key().equals("a") && call.seq() > 0) {
                assertTrue(call.at() > retried.at(), call.value() + " is called after a:0's retry, not before");
            } else if (!call.key().equals("a")) {
                assertTrue(call.at() < retried.at(), call.value() + " (another key) does not wait for a:0's retry");
            }
        }
        assertEquals(List.of("a:0", "a:1", "a:2", "a:3", "a:4"), succeeded.stream().filter(c -> c.key().equals("a"))
                .map(Call::value).toList(), "a's records succeed in their order, each once");
        assertOrdered(task, Set.of());
        await(WAIT, () -> gauge(meters, "flux.order.held.keys") == 0 && gauge(meters, "flux.order.parked") == 0,
                () -> "held " + gauge(meters, "flux.order.held.keys") + ", parked " + gauge(meters, "flux.order.parked"));
        worker.stop();
        worker.awaitTermination(Duration.ofSeconds(30));
    }

    @Test
    void heldKeysAndTheirParkedRecordsOutliveTheWorker(EmbeddedKafka kafka) throws Exception {
        configure(kafka);
        String topic = kafka.createUniqueTopic("order-restart", 2);
        TaskSpec<String> spec = TaskSpec.topic(topic).group("g").retries(1).backoff(Backoff.fixed(Duration.ofSeconds(3)))
                .keyOrder(KeyOrder.ordered());
        Failing failing = (value, stage, before) -> value.equals("a:0") && stage == 0;
        OrderedTask first = new OrderedTask(spec, failing);
        Worker worker = SuperFlux.start(first);
        produce(topic, List.of("a", "b"), 3, 0);
        await(WAIT, () -> first.handled().containsAll(Set.of("b:0", "b:1", "b:2")), () -> "handled " + first.handled());
        worker.stop();
        worker.awaitTermination(Duration.ofSeconds(30)); // a:0 waits in stage 1; a:1 and a:2 are parked
        assertTrue(first.handled().stream().noneMatch(v -> v.startsWith("a:")), "nothing of a was handled: " + first.handled());

        OrderedTask second = new OrderedTask(spec, failing);
        worker = SuperFlux.start(second);
        produce(topic, List.of("a", "b"), 2, 3); // a:3 and a:4 come while a is still held
        await(WAIT, () -> second.handled().containsAll(Set.of("a:0", "a:1", "a:2", "a:3", "a:4", "b:3", "b:4")),
                () -> "handled " + second.handled());
        List<String> order = second.succeeded().stream().filter(c -> c.key().equals("a")).map(Call::value).toList();
        assertEquals(List.of("a:0", "a:1", "a:2", "a:3", "a:4"), order, "a's records in their order after the restart");
        assertEquals(1, second.succeeded().stream().filter(c -> c.value().equals("a:0")).findFirst().orElseThrow().stage());
        assertOrdered(second, Set.of());
        worker.stop();
        worker.awaitTermination(Duration.ofSeconds(30));
    }

    @Test
    void aReleasedRecordThatFailsLeadsItsKeyAndADeadLetterReleasesIt(EmbeddedKafka kafka) throws Exception {
        configure(kafka);
        String topic = kafka.createUniqueTopic("order-chain", 1);
        // a:0 never succeeds (dead-lettered after its one retry); a:1 fails once when released; a:2 and a:3 succeed
        OrderedTask task = new OrderedTask(TaskSpec.topic(topic).group("g").retries(1)
                .backoff(Backoff.fixed(Duration.ofMillis(500))).keyOrder(KeyOrder.ordered()),
                (value, stage, before) -> value.equals("a:0") || value.equals("a:1") && before == 0);
        Worker worker = SuperFlux.start(task);
        produce(topic, List.of("a", "b"), 4, 0);

        await(WAIT, () -> task.handled().containsAll(Set.of("a:1", "a:2", "a:3", "b:0", "b:1", "b:2", "b:3"))
                && task.deadLetters.contains("a:0"), () -> "handled " + task.handled() + ", dead letters " + task.deadLetters);
        List<Call> aCalls = task.calls.stream().filter(c -> c.key().equals("a")).toList();
        assertEquals(List.of("a:0@0", "a:0@1", "a:1@0", "a:1@1", "a:2@0", "a:3@0"),
                aCalls.stream().map(c -> c.value() + "@" + c.stage()).toList(),
                "a:1 is called once a:0 is dead-lettered, fails, and a:2 waits for its retry");
        assertOrdered(task, Set.of("a:0"));
        worker.stop();
        worker.awaitTermination(Duration.ofSeconds(30));
    }

    @Test
    void recordsWithoutAKeyAreNotOrderedAndAreCounted(EmbeddedKafka kafka) throws Exception {
        SimpleMeterRegistry meters = configure(kafka);
        String topic = kafka.createUniqueTopic("order-null", 1);
        OrderedTask task = new OrderedTask(TaskSpec.topic(topic).group("g").retries(1)
                .backoff(Backoff.fixed(Duration.ofSeconds(2))).keyOrder(KeyOrder.ordered()),
                (value, stage, before) -> value.equals("n:0") && stage == 0);
        Worker worker = SuperFlux.start(task);
        Producer<String> producer = Producer.of(ProducerSpec.topic(topic));
        List<CompletableFuture<?>> deliveries = new ArrayList<>();
        for (int seq = 0; seq < 3; seq++) {
            deliveries.add(producer.produce("n:" + seq, null));
        }
        CompletableFuture.allOf(deliveries.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

        await(WAIT, () -> task.handled().size() == 3, () -> "handled " + task.handled());
        List<String> order = task.succeeded().stream().map(Call::value).toList();
        assertEquals(List.of("n:1", "n:2", "n:0"), order, "without a key nothing waits for n:0's retry");
        await(WAIT, () -> meters.find("flux.order.null.keys").functionCounter() != null
                && meters.find("flux.order.null.keys").functionCounter().count() >= 3, () -> "null keys counted");
        worker.stop();
        worker.awaitTermination(Duration.ofSeconds(30));
    }

    @Test
    void theOrderTopicTakesAParkedRecordAsLargeAsTheInputTopicTakes(EmbeddedKafka kafka) throws Exception {
        configure(kafka);
        String topic = "order-large-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        kafka.createTopic(topic, 2, Map.of("max.message.bytes", "3000000"));
        OrderedTask task = new OrderedTask(TaskSpec.topic(topic).group("g").retries(1).keyOrder(KeyOrder.ordered()),
                (value, stage, before) -> false);
        Worker worker = SuperFlux.start(task);
        String orderTopic = topic + "-g-order";
        org.apache.kafka.common.config.ConfigResource resource = new org.apache.kafka.common.config.ConfigResource(
                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, orderTopic);
        org.apache.kafka.clients.admin.Config config = kafka.admin().describeConfigs(List.of(resource)).all()
                .get(30, TimeUnit.SECONDS).get(resource);
        assertEquals("compact", config.get("cleanup.policy").value());
        assertEquals(Long.toString(3_000_000 + 64 * 1024), config.get("max.message.bytes").value(),
                "an entry is the record plus its key once more, offsets and headers");
        assertEquals(2, kafka.partitionCount(orderTopic), "one partition per input partition");
        worker.stop();
        worker.awaitTermination(Duration.ofSeconds(30));
    }

    private static double gauge(SimpleMeterRegistry meters, String name) {
        io.micrometer.core.instrument.Gauge gauge = meters.find(name).gauge();
        return gauge == null ? -1 : gauge.value();
    }
}
