package io.superflux.internal.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

import io.superflux.Acks;
import io.superflux.ClusterSettings;
import io.superflux.CompressionCodec;
import io.superflux.ProducerSettings;
import io.superflux.retry.Stage;

class ClientPropertiesTest {
    private static final ClusterSettings CLUSTER = new ClusterSettings("default", List.of("b:9092"), "app", Map.of());

    @Test
    void producersBatchLargeByDefaultAndTheApplicationWins() {
        ProducerSettings defaults = new ProducerSettings(10_000, CompressionCodec.NONE, Acks.ALL, Duration.ofMillis(5), Map.of());
        Map<String, Object> props = ClientProperties.producer(CLUSTER, defaults);
        assertEquals(262_144, props.get(ProducerConfig.BATCH_SIZE_CONFIG));
        assertEquals(5, props.get(ProducerConfig.LINGER_MS_CONFIG));

        ProducerSettings tuned = new ProducerSettings(10_000, CompressionCodec.NONE, Acks.ALL, Duration.ofMillis(5),
                Map.of("batch.size", "16384"));
        assertEquals("16384", ClientProperties.producer(CLUSTER, tuned).get(ProducerConfig.BATCH_SIZE_CONFIG));
    }

    @Test
    void retryStagesLongPollBrieflyTheDeadLetterStageLongAndTheMainStageAsKafkaDoes() {
        assertEquals(100, ClientProperties.consumer(CLUSTER, Map.of(), "g-retry-1", Stage.Kind.RETRY).get(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG));
        assertEquals(null, ClientProperties.consumer(CLUSTER, Map.of(), "g", Stage.Kind.MAIN).get(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG));
        assertEquals(5_000, ClientProperties.consumer(CLUSTER, Map.of(), "g-dlq", Stage.Kind.DEAD_LETTER).get(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG));
        // A resting retry stage has every partition paused and no fetch in flight: kafka-clients then
        // wakes its threads every retry.backoff.ms. The application's setting wins.
        assertEquals(1_000, ClientProperties.consumer(CLUSTER, Map.of(), "g-retry-1", Stage.Kind.RETRY).get(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG));
        assertEquals("50", ClientProperties.consumer(CLUSTER, Map.of("retry.backoff.ms", "50"), "g-retry-1", Stage.Kind.RETRY)
                .get(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG));
        assertEquals(null, ClientProperties.consumer(CLUSTER, Map.of(), "g", Stage.Kind.MAIN).get(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG));
        assertEquals("earliest", ClientProperties.consumer(CLUSTER, Map.of("auto.offset.reset", "latest"), "g-dlq", Stage.Kind.DEAD_LETTER)
                .get(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG));
    }
}
