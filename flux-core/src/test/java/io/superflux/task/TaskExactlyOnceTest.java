package io.superflux.task;

import static java.nio.charset.StandardCharsets.UTF_8;
import static io.superflux.task.TaskTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.superflux.FluxConfigException;
import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.retry.StagePlan;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

/** flux.delivery = exactly-once against a real broker: forwards and offsets in transactions. */
@ExtendWith(EmbeddedKafkaExtension.class)
class TaskExactlyOnceTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    private static void configure(EmbeddedKafka kafka) {
        SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).clientId("eos-test").retryTimeScale(0.001)
                .set("flux.delivery", "exactly-once").set("flux.consumer.commit-interval", "200ms")
                .shutdownTimeout(Duration.ofSeconds(20)));
    }

    @Test
    void forwardsAndOffsetsCommitTogetherAndRetryStagesReadOnlyCommittedForwards(EmbeddedKafka kafka) throws Exception {
        configure(kafka);
        String topic = kafka.createUniqueTopic("eos", 2);
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(1), message -> {
            if (message.stage() == 0 && Integer.parseInt(message.value()) % 3 == 0) {
                throw new IllegalStateException("fails in stage 0");
            }
        });
        StagePlan plan = task.spec().plan();
        Worker worker = SuperFlux.start(task);
        int records = 300;
        TaskTestSupport.produce(topic, records, i -> "k" + (i % 7));

        await(WAIT, () -> task.handled.size() == records, () -> "handled " + task.handled.size());
        worker.stop();
        assertEquals(100, task.callsInStage(1).size(), "every third record retried once in stage 1");
        List<String> forwarded = readCommitted(kafka, plan.stage(1).topic(), 100);
        assertEquals(100, forwarded.size());
        assertEquals(100, new TreeSet<>(forwarded).size(), "no forward twice");
        long retryTopicEnd = kafka.admin().listOffsets(Map.of(
                        new TopicPartition(plan.stage(1).topic(), 0), org.apache.kafka.clients.admin.OffsetSpec.latest(),
                        new TopicPartition(plan.stage(1).topic(), 1), org.apache.kafka.clients.admin.OffsetSpec.latest()))
                .all().get(10, TimeUnit.SECONDS).values().stream().mapToLong(info -> info.offset()).sum();
        assertTrue(retryTopicEnd > 100, "the forwards were written in transactions (their commit markers take offsets): "
                + retryTopicEnd);
        Map<TopicPartition, Long> committed = new HashMap<>();
        for (int p = 0; p < 2; p++) {
            committed.put(new TopicPartition(topic, p), TaskTestSupport.committed(kafka, "g", new TopicPartition(topic, p)));
        }
        Map<TopicPartition, Long> ends = kafka.admin().listOffsets(Map.of(
                        new TopicPartition(topic, 0), org.apache.kafka.clients.admin.OffsetSpec.latest(),
                        new TopicPartition(topic, 1), org.apache.kafka.clients.admin.OffsetSpec.latest()))
                .all().get(10, TimeUnit.SECONDS).entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        assertEquals(ends, committed, "the main stage's offsets committed through its transactions");
    }

    @Test
    void exactlyOnceWithLanesIsAConfigurationErrorNamingTheSetting(EmbeddedKafka kafka) {
        configure(kafka);
        String topic = kafka.createUniqueTopic("eos-lanes", 1);
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(1).concurrency(4), message -> { });
        FluxConfigException error = assertThrows(FluxConfigException.class, () -> SuperFlux.start(task));
        assertTrue(error.getMessage().contains("flux.delivery = exactly-once needs tasks that run one record at a time")
                && error.getMessage().contains("concurrency(4)"), error.getMessage());
    }

    @Test
    void exactlyOnceWithOrderedRetriesIsAConfigurationErrorNamingTheSetting(EmbeddedKafka kafka) {
        configure(kafka);
        String topic = kafka.createUniqueTopic("eos-ordered", 1);
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(1).keyOrder(KeyOrder.ordered()), message -> { });
        FluxConfigException error = assertThrows(FluxConfigException.class, () -> SuperFlux.start(task));
        assertTrue(error.getMessage().contains("flux.delivery = exactly-once and ordered retries (keyOrder)")
                && error.getMessage().contains("use flux.delivery = at-least-once"), error.getMessage());
    }

    static List<String> readCommitted(EmbeddedKafka kafka, String topic, int expected) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + System.nanoTime());
        List<String> values = new java.util.ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(Set.of(topic));
            long deadline = System.nanoTime() + WAIT.toNanos();
            long quietUntil = 0;
            while (System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    values.add(new String(record.value(), UTF_8));
                }
                if (values.size() >= expected) {
                    quietUntil = quietUntil == 0 ? System.nanoTime() + 1_000_000_000L : quietUntil;
                    if (System.nanoTime() > quietUntil) {
                        break; // a second more: anything doubled would show
                    }
                }
            }
        }
        return values;
    }
}
