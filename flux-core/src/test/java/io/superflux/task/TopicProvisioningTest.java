package io.superflux.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.superflux.SuperFlux;
import io.superflux.Worker;
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
}
