package io.superflux.task;

import static io.superflux.task.TaskTestSupport.await;
import static io.superflux.task.TaskTestSupport.committed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.producer.Producer;
import io.superflux.producer.ProducerSpec;
import io.superflux.retry.StagePlan;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

/**
 * Forwards that can never succeed as they are. A record near Kafka's 1 MiB limit plus a dozen KiB
 * of failure headers is forwarded with its headers trimmed; a retry topic that refuses the record
 * itself (its max.message.bytes is too small) stops the stage with an error naming the topic —
 * never a silent retry forever — and nothing past the record is committed, so after the topic
 * is fixed a restart forwards it exactly once.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class TaskForwardFailureTest {

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    @Test
    void exactlyOnceARecordTheRetryTopicRefusesStopsTheStageInsteadOfAbortingForever(EmbeddedKafka kafka) throws Exception {
        SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).clientId("task-test").retryTimeScale(0.001)
                .set("flux.delivery", "exactly-once").set("flux.consumer.commit-interval", "100ms")
                .shutdownTimeout(Duration.ofSeconds(20)));
        String topic = kafka.createUniqueTopic("undeliverable-eos", 1);
        String big = randomText(2_000);
        String longMessage = randomText(3_000).substring(2_000); // 1 KiB in flux-exception-message, 200 bytes trimmed
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(1), message -> {
            if (message.stage() == 0 && message.value().equals(big)) {
                throw new IllegalStateException(longMessage);
            }
        });
        String retryTopic = task.spec().plan().stage(1).topic();
        // Too large with the full failure headers (the stack trace), small enough trimmed: at-least-once
        // would send it again trimmed; in a transaction that send fails too, and a rewind would repeat it all.
        kafka.createTopic(retryTopic, 1, Map.of("max.message.bytes", "3200"));
        Producer<String> producer = Producer.of(ProducerSpec.topic(topic));
        producer.produce("first", "k").get(10, TimeUnit.SECONDS);
        producer.produce(big, "k").get(10, TimeUnit.SECONDS);
        producer.produce("after", "k").get(10, TimeUnit.SECONDS);
        Worker worker = SuperFlux.start(task);

        assertTrue(worker.awaitTermination(Duration.ofSeconds(30)), "the stage stops instead of aborting and retrying forever");
        String error = worker.failure().map(Throwable::getMessage).orElse("(no failure)");
        assertTrue(error.contains(retryTopic) && error.contains("max.message.bytes") && error.contains("exactly-once"), error);
        assertTrue(committed(kafka, "g", new TopicPartition(topic, 0)) <= 1, "never past the record whose forward failed");
        assertEquals(1, task.callsInStage(0).stream().filter(c -> c.message().value().equals(big)).count(),
                "called once, not in an abort loop");
    }

    @Test
    void aRetryTopicThatRefusesTheRecordStopsTheStageAndCommitsNothingPastIt(EmbeddedKafka kafka) throws Exception {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("undeliverable", 1);
        String big = randomText(2_000); // incompressible: the forwarder compresses its batches
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(1), message -> {
            if (message.stage() == 0 && message.value().equals(big)) {
                throw new IllegalStateException("big one fails in stage 0");
            }
        });
        StagePlan plan = task.spec().plan();
        String retryTopic = plan.stage(1).topic();
        kafka.createTopic(retryTopic, 1, Map.of("max.message.bytes", "500"));

        Producer<String> producer = Producer.of(ProducerSpec.topic(topic));
        producer.produce("first", "k").get(10, TimeUnit.SECONDS);
        producer.produce(big, "k").get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 3; i++) {
            producer.produce("after-" + i, "k").get(10, TimeUnit.SECONDS);
        }
        Worker worker = SuperFlux.start(task);
        TopicPartition source = new TopicPartition(topic, 0);

        assertTrue(worker.awaitTermination(Duration.ofSeconds(30)), "the stage stops instead of retrying forever");
        String error = worker.failure().map(Throwable::getMessage).orElse("(no failure)");
        assertTrue(error.contains(retryTopic) && error.contains("max.message.bytes"), error);
        assertEquals(1, committed(kafka, "g", source), "never past the record whose forward failed");
        assertEquals(0, kafka.readAll(retryTopic, 0, Duration.ofMillis(200)).size());

        kafka.admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, retryTopic),
                List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", "1048576"), AlterConfigOp.OpType.SET))))
                .all().get(10, TimeUnit.SECONDS);
        task.handled.clear();
        SuperFlux.start(task);

        await(Duration.ofSeconds(30), () -> committedOrFail(kafka, source) == 5, () -> "committed " + committedOrFail(kafka, source));
        await(Duration.ofSeconds(20), () -> task.handled.stream().anyMatch(m -> m.stage() == 1 && m.value().equals(big)),
                () -> "the big record reached stage 1");
        assertEquals(1, kafka.readAll(retryTopic, 1, Duration.ofSeconds(10)).size(), "forwarded exactly once");
    }

    @Test
    void aRecordNearTheSizeLimitIsForwardedWithItsFailureHeadersTrimmed(EmbeddedKafka kafka) throws Exception {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("near-limit", 1);
        String huge = randomText(1_040_000);
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(1), message -> {
            if (message.stage() == 0) {
                throw new IllegalStateException("m".repeat(900) + " and a deep stack", new IllegalArgumentException("cause"));
            }
        });
        Worker worker = SuperFlux.start(task);
        Producer.of(ProducerSpec.topic(topic)).produce(huge, "k").get(10, TimeUnit.SECONDS);

        await(Duration.ofSeconds(30), () -> task.handled.stream().anyMatch(m -> m.stage() == 1) || !worker.isRunning(),
                () -> "handled " + task.handled.size());
        assertTrue(worker.isRunning(), "still running: " + worker.failure());
        Message<String> retried = task.handled.stream().filter(m -> m.stage() == 1).findFirst().orElseThrow();
        assertEquals(huge, retried.value(), "the value travels unchanged");
        assertEquals(1, retried.failures().size(), "the failure history is kept, if shortened");
        assertEquals(new Origin(topic, 0, 0, retried.origin().timestamp()), retried.origin());
    }

    @Test
    void theForwarderUsesTheApplicationsProducerPropertiesForLargeRecords(EmbeddedKafka kafka) throws Exception {
        SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).clientId("large").retryTimeScale(0.001)
                .set("flux.consumer.commit-interval", "100ms")
                .producerProperty("max.request.size", 4 * 1024 * 1024)
                .consumerProperty("max.partition.fetch.bytes", 4 * 1024 * 1024));
        String topic = "large-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        kafka.createTopic(topic, 1, Map.of("max.message.bytes", Integer.toString(4 * 1024 * 1024)));
        String large = randomText(2 * 1024 * 1024);
        ScriptedTask task = ScriptedTask.failingInStageZero(TaskSpec.topic(topic).group("g").retries(1), "fails in stage 0");
        Worker worker = SuperFlux.start(task);
        Producer.of(ProducerSpec.topic(topic)).produce(large, "k").get(10, TimeUnit.SECONDS);

        await(Duration.ofSeconds(30), () -> task.handled.stream().anyMatch(m -> m.stage() == 1) || !worker.isRunning(),
                () -> "handled " + task.handled.size());
        assertTrue(worker.isRunning(), "still running: " + worker.failure());
        assertEquals(large, task.handled.stream().filter(m -> m.stage() == 1).findFirst().orElseThrow().value());
    }

    private static String randomText(int length) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) ('a' + random.nextInt(26)));
        }
        return text.toString();
    }

    private static long committedOrFail(EmbeddedKafka kafka, TopicPartition partition) {
        try {
            return committed(kafka, "g", partition);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
