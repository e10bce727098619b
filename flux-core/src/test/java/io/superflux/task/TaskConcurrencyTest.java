package io.superflux.task;

import static io.superflux.task.TaskTestSupport.await;
import static io.superflux.task.TaskTestSupport.committed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

/** Key-ordered concurrency: parallel across keys, in order per key, commits never past an unfinished record. */
@ExtendWith(EmbeddedKafkaExtension.class)
class TaskConcurrencyTest {

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    private static void produce(String topic, int count, int keys) throws Exception {
        TaskTestSupport.produce(topic, count, i -> "key-" + (i % keys));
    }

    @Test
    void differentKeysRunInParallelTheSameKeyInOrderAndNothingIsLost(EmbeddedKafka kafka) throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).retryTimeScale(0.001)
                .set("flux.consumer.commit-interval", "100ms").meterRegistry(meters));
        String topic = kafka.createUniqueTopic("lanes", 4);
        Map<String, List<Integer>> perKey = new ConcurrentHashMap<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        ConcurrentLinkedQueue<Integer> gaugeSamples = new ConcurrentLinkedQueue<>();
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(2).concurrency(32), message -> {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                if (message.stage() == 0) {
                    perKey.computeIfAbsent(message.key(), k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                            .add(Integer.parseInt(message.value()));
                }
                Thread.sleep(ThreadLocalRandom.current().nextInt(3));
                if (Integer.parseInt(message.value()) % 97 == 0 && failedOnce.add(message.value())) {
                    throw new IllegalStateException("once");
                }
            } finally {
                running.decrementAndGet();
            }
        });
        produce(topic, 5_000, 200);
        SuperFlux.start(task);
        await(Duration.ofSeconds(60), () -> {
            gaugeSamples.add((int) meters.get("flux.task.in.flight").tag("stage", "0").gauge().value());
            return new HashSet<>(task.handled.stream().map(Message::value).toList()).size() == 5_000;
        }, () -> "handled " + task.handled.size());
        Thread.sleep(300);

        assertEquals(5_000, task.handled.size(), "none lost, none twice");
        assertTrue(mostAtOnce.get() > 1 && mostAtOnce.get() <= 32 * 2, "ran in parallel, bounded: " + mostAtOnce.get());
        perKey.forEach((key, values) -> {
            for (int i = 1; i < values.size(); i++) {
                assertTrue(values.get(i) > values.get(i - 1), key + " out of order: " + values);
            }
        });
        assertEquals(200, perKey.size());
        assertTrue(gaugeSamples.stream().allMatch(n -> n <= Math.max(1_000, 50 * 32) + 500), "in flight stays bounded: " + gaugeSamples);
        assertEquals(List.of(), List.copyOf(task.earlyCalls));
    }

    @Test
    void commitsNeverPassAnUnfinishedRecord(EmbeddedKafka kafka) throws Exception {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("blocked", 1);
        CountDownLatch release = new CountDownLatch(1);
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").concurrency(8), message -> {
            if (message.value().equals("10")) {
                release.await(60, TimeUnit.SECONDS); // record 10 hangs; records of other keys go on
            }
        });
        produce(topic, 100, 50); // record 10 and record 60 share key-10: 60 must wait for 10
        SuperFlux.start(task);
        TopicPartition partition = new TopicPartition(topic, 0);

        await(Duration.ofSeconds(30), () -> task.handled.size() == 98, () -> "handled " + task.handled.size());
        Thread.sleep(600); // several commit intervals
        assertEquals(10, committed(kafka, "g", partition), "stops right before the unfinished record");
        assertTrue(task.handled.stream().noneMatch(m -> m.value().equals("60")), "the same key waits behind it");
        release.countDown();
        await(Duration.ofSeconds(30), () -> {
            try {
                return committed(kafka, "g", partition) == 100;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, () -> "not committed to the end");
    }

    @Test
    void aHangingRecordStopsItsPartitionOnceTheBacklogReachesTheLimit(EmbeddedKafka kafka) throws Exception {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("backlog", 1);
        CountDownLatch release = new CountDownLatch(1);
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").concurrency(8), message -> {
            if (message.value().equals("0")) {
                release.await(60, TimeUnit.SECONDS);
            }
        });
        produce(topic, 6_000, 3_000); // record 0's key has no other record until 3,000
        SuperFlux.start(task);
        // The limit for concurrency 8 is max(1000, 50 × 8) = 1,000 records not committable, plus one poll (500).
        await(Duration.ofSeconds(30), () -> task.handled.size() >= 900, () -> "handled " + task.handled.size());
        Thread.sleep(1_000);
        int stalled = task.handled.size();
        assertTrue(stalled <= 1_000 + 500, "the partition stopped fetching behind the hanging record: " + stalled);
        release.countDown();
        await(Duration.ofSeconds(30), () -> task.handled.size() == 6_000, () -> "handled " + task.handled.size());
        assertEquals(6_000, new HashSet<>(task.handled.stream().map(Message::value).toList()).size());
    }

    @Test
    void stoppingWithRecordsInFlightLosesNothing(EmbeddedKafka kafka) throws Exception {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("inflight", 3);
        // Concurrency 20: at most max(1000, 50 × 20) = 1,000 records in flight (plus one poll), far fewer than 4,000.
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").concurrency(20), message -> Thread.sleep(10));
        produce(topic, 4_000, 300);
        Worker first = SuperFlux.start(task);
        await(Duration.ofSeconds(30), () -> task.handled.size() >= 300, () -> "handled " + task.handled.size());
        first.stop();
        int afterStop = task.handled.size();
        assertTrue(afterStop < 4_000, "stopped mid-run: " + afterStop);

        Worker second = SuperFlux.start(task);
        await(Duration.ofSeconds(60), () -> new HashSet<>(task.handled.stream().map(Message::value).toList()).size() == 4_000,
                () -> "distinct handled " + new HashSet<>(task.handled.stream().map(Message::value).toList()).size());
        second.stop();
        assertEquals(4_000, task.handled.size(), "nothing lost, nothing repeated: in-flight records finished before the commit");
    }
}
