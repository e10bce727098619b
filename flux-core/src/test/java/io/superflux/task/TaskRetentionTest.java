package io.superflux.task;

import static io.superflux.task.TaskTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import ch.qos.logback.classic.Level;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.producer.Producer;
import io.superflux.producer.ProducerSpec;
import io.superflux.retry.Backoff;
import io.superflux.retry.StagePlan;
import io.superflux.testing.LogCapture;
import io.superflux.testkit.EmbeddedKafka;

/**
 * A record held for its due time on a retry topic whose retention is too short is deleted by the
 * broker before the stage reads it. Nothing can bring it back, but it must never go unnoticed: the
 * stage logs an ERROR naming the partition and how many records were lost, and counts them in
 * {@code flux.task.records.lost}. (Flux creates its topics with a safe retention and refuses to
 * start on unsafe ones unless told otherwise; this test tells it otherwise.)
 */
class TaskRetentionTest {

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    @Test
    void aHeldRecordDeletedByRetentionIsAnErrorAndCounted() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().brokerProperty("log.retention.check.interval.ms", 200)
                .brokerProperty("log.initial.task.delay.ms", 0).start();
             LogCapture log = LogCapture.flux()) {
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).clientId("retention").retryTimeScale(0.001)
                    .set("flux.consumer.commit-interval", "100ms")
                    .set("flux.topics.allow-short-retention", true)
                    .meterRegistry(meters));
            String topic = kafka.createUniqueTopic("retention", 1);
            ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(1)
                    .backoff(Backoff.fixed(Duration.ofHours(2))), message -> {  // 7.2 s at this time scale
                if (message.stage() == 0) {
                    throw new IllegalStateException("fails in stage 0");
                }
            });
            StagePlan plan = task.spec().plan();
            String retryTopic = plan.stage(1).topic();
            kafka.createTopic(retryTopic, 1, Map.of("retention.ms", "1000", "segment.ms", "100"));
            Worker worker = SuperFlux.start(task);
            Producer<String> producer = Producer.of(ProducerSpec.topic(topic));
            producer.produce("deleted-before-due", "k").get(10, TimeUnit.SECONDS);
            await(Duration.ofSeconds(10), () -> endOffset(kafka, retryTopic) == 1, () -> "forwarded");
            await(Duration.ofSeconds(20), () -> startOffset(kafka, retryTopic) == 1, () -> "retention deleted the held record");
            kafka.admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, retryTopic),
                    List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "86400000"), AlterConfigOp.OpType.SET))))
                    .all().get(10, TimeUnit.SECONDS);
            producer.produce("survives", "k").get(10, TimeUnit.SECONDS);

            await(Duration.ofSeconds(30), () -> task.handled.stream().anyMatch(m -> m.value().equals("survives")),
                    () -> "handled " + task.handled);
            assertTrue(worker.isRunning());
            assertEquals(List.of("survives"), task.handled.stream().map(Message::value).toList());
            assertTrue(log.any(Level.ERROR, m -> m.contains(retryTopic + "-0") && m.contains("1 record")), log.dump());
            FunctionCounter lost = meters.find("flux.task.records.lost").tag("stage", "1").functionCounter();
            assertEquals(1.0, lost == null ? 0 : lost.count(), "records lost, counted");
            SuperFlux.shutdown(); // before the broker goes
        }
    }

    private static long startOffset(EmbeddedKafka kafka, String topic) {
        return offset(kafka, topic, OffsetSpec.earliest());
    }

    private static long endOffset(EmbeddedKafka kafka, String topic) {
        return offset(kafka, topic, OffsetSpec.latest());
    }

    private static long offset(EmbeddedKafka kafka, String topic, OffsetSpec spec) {
        TopicPartition partition = new TopicPartition(topic, 0);
        try {
            return kafka.admin().listOffsets(Map.of(partition, spec)).partitionResult(partition).get(10, TimeUnit.SECONDS).offset();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
