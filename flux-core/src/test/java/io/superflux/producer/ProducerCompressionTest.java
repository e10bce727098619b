package io.superflux.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.superflux.CompressionCodec;
import io.superflux.SuperFlux;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;
import io.superflux.testkit.StoredBatch;

/** Reads the broker's segment files: the batches on disk must carry the configured codec. */
@ExtendWith(EmbeddedKafkaExtension.class)
class ProducerCompressionTest {

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    @ParameterizedTest
    @EnumSource(CompressionCodec.class)
    void batchesOnTheBrokerAreCompressedWithTheConfiguredCodec(CompressionCodec codec, EmbeddedKafka kafka)
            throws Exception {
        SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).compressionCodec(codec));
        String topic = kafka.createUniqueTopic("compressed-" + codec.configValue(), 2);
        TopicProducer producer = new TopicProducer(topic);
        for (int i = 0; i < 2_000; i++) {
            producer.produce("a very compressible message number " + i + " ".repeat(100), "key-" + (i % 10));
        }
        producer.flush();
        producer.produce("last").get(30, TimeUnit.SECONDS);

        List<StoredBatch> batches = kafka.storedBatches(topic);
        assertFalse(batches.isEmpty());
        assertEquals(2_001, batches.stream().mapToInt(StoredBatch::recordCount).sum());
        assertTrue(batches.stream().allMatch(b -> b.compression().equals(codec.configValue())), batches.toString());
        if (codec != CompressionCodec.NONE) {
            assertTrue(batches.stream().anyMatch(b -> b.recordCount() > 1), "records were batched: " + batches);
        }
    }
}
