package io.superflux.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedKafkaExtension.class)
class EmbeddedKafkaTest {
    private static EmbeddedKafka shared;

    @BeforeAll
    static void remember(EmbeddedKafka kafka) {
        shared = kafka;
    }

    @Test
    void listensOnLoopbackAndCarriesRecords(EmbeddedKafka kafka) throws Exception {
        assertTrue(kafka.bootstrapServers().matches("(localhost|127\\.0\\.0\\.1):\\d+"), kafka.bootstrapServers());
        String topic = kafka.createUniqueTopic("roundtrip", 3);
        assertEquals(3, kafka.partitionCount(topic));

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 30; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get(10, TimeUnit.SECONDS);
            }
        }
        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll(topic, 30, Duration.ofSeconds(20));
        assertEquals(30, records.size());
        assertEquals(30, records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).distinct().count());
        assertTrue(Files.isDirectory(kafka.logDirectories().get(0).resolve(topic + "-0")));
        List<StoredBatch> batches = kafka.storedBatches(topic);
        assertEquals(30, batches.stream().mapToInt(StoredBatch::recordCount).sum(), batches.toString());
        assertTrue(batches.stream().allMatch(b -> b.compression().equals("none")), batches.toString());
        assertEquals(java.util.Set.of(0, 1, 2), batches.stream().map(StoredBatch::partition).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void autoCreationIsOffSoTestsSeeOnlyTheirTopics(EmbeddedKafka kafka) throws Exception {
        List<String> names = List.copyOf(kafka.admin().listTopics().names().get(10, TimeUnit.SECONDS));
        assertTrue(names.stream().noneMatch(n -> n.startsWith("never-created")), names.toString());
    }

    @Nested
    class NestedClasses {
        @Test
        void shareTheOuterBroker(EmbeddedKafka kafka) {
            assertSame(shared, kafka);
        }
    }
}
