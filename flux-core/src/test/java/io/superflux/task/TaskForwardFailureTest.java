package io.superflux.task;

import static io.superflux.task.TaskTestSupport.await;
import static io.superflux.task.TaskTestSupport.committed;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import io.superflux.producer.Producer;
import io.superflux.producer.ProducerSpec;
import io.superflux.retry.StagePlan;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

/**
 * The retry topic refuses the forwarded record (its max.message.bytes is too small): the source
 * offset must not be committed, however long it takes, until the forward succeeds.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class TaskForwardFailureTest {

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    @Test
    void aForwardThatCannotBeDeliveredDoesNotCommitTheSourceOffset(EmbeddedKafka kafka) throws Exception {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("undeliverable", 1);
        String big = "x".repeat(2_000);
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
        SuperFlux.start(task);
        TopicPartition source = new TopicPartition(topic, 0);

        await(Duration.ofSeconds(20), () -> task.handled.size() == 4, () -> "handled " + task.handled.size());
        await(Duration.ofSeconds(20), () -> committedOrFail(kafka, source) == 1, () -> "committed " + committedOrFail(kafka, source));
        Thread.sleep(1_500); // fifteen commit intervals: the commit must stay before the undelivered record
        assertEquals(1, committed(kafka, "g", source), "never past the record whose forward failed");
        assertEquals(0, kafka.readAll(retryTopic, 0, Duration.ofMillis(200)).size());

        kafka.admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, retryTopic),
                List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", "1048576"), AlterConfigOp.OpType.SET))))
                .all().get(10, TimeUnit.SECONDS);

        await(Duration.ofSeconds(30), () -> committedOrFail(kafka, source) == 5, () -> "committed " + committedOrFail(kafka, source));
        await(Duration.ofSeconds(20), () -> task.handled.stream().anyMatch(m -> m.stage() == 1),
                () -> "the big record reached stage 1");
        assertEquals(1, kafka.readAll(retryTopic, 1, Duration.ofSeconds(10)).size(), "forwarded exactly once");
    }

    private static long committedOrFail(EmbeddedKafka kafka, TopicPartition partition) {
        try {
            return committed(kafka, "g", partition);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
