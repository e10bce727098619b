package io.superflux.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.superflux.FluxConfigException;
import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.internal.topics.TaskTopics;
import io.superflux.internal.topics.TopicPlan;
import io.superflux.retry.Backoff;
import io.superflux.retry.StagePlan;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

@ExtendWith(EmbeddedKafkaExtension.class)
class TopicProvisioningTest {

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    @Test
    void missingRetryAndDeadLetterTopicsAreCreatedWithTheInputsPartitionCount(EmbeddedKafka kafka) {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("provisioned", 5);
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(3), message -> { });
        try (Worker worker = SuperFlux.start(task, "0")) {
            StagePlan plan = task.spec().plan();
            for (String stageTopic : plan.topics()) {
                assertEquals(5, kafka.partitionCount(stageTopic), stageTopic);
            }
            assertEquals(1, worker.stages().size());
        }
    }

    @Test
    void aMissingInputTopicIsAClearError(EmbeddedKafka kafka) {
        TaskTestSupport.configure(kafka);
        ScriptedTask task = new ScriptedTask(TaskSpec.topic("no-such-topic").group("g"), message -> { });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SuperFlux.start(task));
        assertTrue(e.getMessage().contains("The input topic 'no-such-topic' does not exist on cluster 'default'"), e.getMessage());
    }

    @Test
    void withAutoCreationOffMissingTopicsAreNamed(EmbeddedKafka kafka) {
        SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).set("flux.topics.auto-create", false));
        String topic = kafka.createUniqueTopic("manual", 2);
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(1), message -> { });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SuperFlux.start(task));
        assertTrue(e.getMessage().contains("[" + topic + "-g-try-1, " + topic + "-g-dlq] do not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("flux.topics.auto-create is false"), e.getMessage());
    }

    @Test
    void aBrokerThatRefusesToCreateTopicsIsAClearError() {
        try (EmbeddedKafka strict = EmbeddedKafka.builder()
                .brokerProperty("create.topic.policy.class.name", NoRetryTopicsPolicy.class.getName()).start()) {
            TaskTestSupport.configure(strict);
            strict.createTopic("guarded", 2);
            ScriptedTask task = new ScriptedTask(TaskSpec.topic("guarded").group("g").retries(1), message -> { });
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> SuperFlux.start(task));
            assertTrue(e.getMessage().contains("Flux may not create topic guarded-g-"), e.getMessage());
            assertTrue(e.getMessage().contains("retry topics are created by the platform team"), e.getMessage());
            assertTrue(e.getMessage().contains("with 2 partitions each, or grant CREATE"), e.getMessage());
        }
    }

    @Test
    void anUnreachableClusterFailsWithinTheStartupTimeout() {
        SuperFlux.configure(c -> c.brokers("127.0.0.1:1").set("flux.startup-timeout", "2s"));
        ScriptedTask task = new ScriptedTask(TaskSpec.topic("anything").group("g"), message -> { });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SuperFlux.start(task));
        assertTrue(e.getMessage().contains("did not answer within 2s"), e.getMessage());
    }

    @Test
    void aTaskWithoutGroupOrWithBadStagesIsRejected(EmbeddedKafka kafka) {
        TaskTestSupport.configure(kafka);
        ScriptedTask noGroup = new ScriptedTask(TaskSpec.topic("t"), message -> { });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SuperFlux.start(noGroup));
        assertTrue(e.getMessage().contains("declares no consumer group"), e.getMessage());
        ScriptedTask task = new ScriptedTask(TaskSpec.topic("t").group("g").retries(2), message -> { });
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> SuperFlux.start(task, "0-4"));
        assertTrue(bad.getMessage().contains("stages are 0..3"), bad.getMessage());
    }

    @Test
    void stageTopicsKeepRecordsLongerThanTheirStagesLongestWait(EmbeddedKafka kafka) throws Exception {
        SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).set("flux.topics.replication-factor", 3)
                .set("flux.topics.properties.\"compression.type\"", "lz4"));
        String topic = kafka.createUniqueTopic("retained", 2);
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(29), message -> { });
        StagePlan plan = task.spec().plan();
        try (Worker worker = SuperFlux.start(task, "0")) {
            assertEquals(Duration.ofDays(7).toMillis(), retentionOf(kafka, plan.stage(1).topic()), "the minimum");
            long stage29 = (long) Math.pow(29, 4) + 15 + 29 * 30; // seconds, r = 29
            assertEquals(stage29 * 2 * 1000, retentionOf(kafka, plan.stage(29).topic()), "twice the longest wait (8.2 days)");
            assertEquals(Duration.ofDays(28).toMillis(), retentionOf(kafka, plan.stage(30).topic()), "dead letters");
            assertEquals("lz4", config(kafka, plan.stage(1).topic(), "compression.type"));
            assertEquals(1, kafka.admin().describeTopics(List.of(plan.stage(1).topic())).allTopicNames().get()
                    .get(plan.stage(1).topic()).partitions().get(0).replicas().size(), "3 capped at the one broker");
        }
    }

    @Test
    void anExistingRetryTopicThatWouldDeleteHeldRecordsStopsTheWorkerUntilFixed(EmbeddedKafka kafka) throws Exception {
        SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()));
        String topic = kafka.createUniqueTopic("short-lived", 1);
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(1)
                .backoff(Backoff.fixed(Duration.ofHours(1))), message -> { });
        String retryTopic = task.spec().plan().stage(1).topic();
        kafka.createTopic(retryTopic, 1, Map.of("retention.ms", "60000"));

        FluxConfigException unsafe = assertThrows(FluxConfigException.class, () -> SuperFlux.start(task));
        assertEquals("flux.topics.allow-short-retention", unsafe.key());
        assertTrue(unsafe.getMessage().contains(retryTopic + " keeps records for retention.ms=60000 (60.0 s), less than"
                + " stage 1's longest wait of 60.0 min"), unsafe.getMessage());

        TopicPlan plan = TaskTopics.plan(task, SuperFlux.config(), null);
        assertEquals(List.of(TopicPlan.Action.ALTER_CONFIGS, TopicPlan.Action.CREATE),
                plan.changes().stream().map(TopicPlan.Change::action).toList());
        TaskTopics.apply(task, SuperFlux.config(), null);
        assertEquals(Duration.ofDays(7).toMillis(), retentionOf(kafka, retryTopic));
        assertTrue(TaskTopics.plan(task, SuperFlux.config(), null).upToDate());
        try (Worker worker = SuperFlux.start(task)) {
            assertTrue(worker.isRunning());
        }
    }

    private static long retentionOf(EmbeddedKafka kafka, String topic) throws Exception {
        return Long.parseLong(config(kafka, topic, "retention.ms"));
    }

    private static String config(EmbeddedKafka kafka, String topic, String name) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return kafka.admin().describeConfigs(List.of(resource)).all().get().get(resource).get(name).value();
    }
}
