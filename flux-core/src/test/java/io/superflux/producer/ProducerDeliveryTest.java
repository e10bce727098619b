package io.superflux.producer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.superflux.FluxConfigException;
import io.superflux.SuperFlux;
import io.superflux.internal.producer.ClusterProducer;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

@ExtendWith(EmbeddedKafkaExtension.class)
class ProducerDeliveryTest {
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    private void configure(EmbeddedKafka kafka) {
        SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).clientId("delivery-test").meterRegistry(meters));
    }

    @Test
    void valuesKeysAndHeadersArriveOnTheDefaultPartitionersPartition(EmbeddedKafka kafka) throws Exception {
        configure(kafka);
        String topic = kafka.createUniqueTopic("awesome", 6);
        TopicProducer producer = new TopicProducer(topic);

        List<CompletableFuture<Delivery>> deliveries = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            deliveries.add(producer.produce("message-" + i, "key-" + (i % 20), Map.of("trace", "t-" + i)));
        }
        deliveries.add(producer.produce("no-key"));
        CompletableFuture.allOf(deliveries.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        // A plain KafkaProducer writes the same keys to a twin topic with as many partitions.
        Map<String, Integer> rawClientPartitions =
                partitionsChosenByAPlainKafkaProducer(kafka, kafka.createUniqueTopic("awesome-twin", 6), 20);
        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll(topic, 61, Duration.ofSeconds(30));
        assertEquals(61, records.size());
        Map<String, ConsumerRecord<byte[], byte[]>> byValue = new HashMap<>();
        records.forEach(r -> byValue.put(new String(r.value(), UTF_8), r));
        for (int i = 0; i < 60; i++) {
            ConsumerRecord<byte[], byte[]> record = byValue.get("message-" + i);
            String key = "key-" + (i % 20);
            assertEquals(key, new String(record.key(), UTF_8));
            assertArrayEquals(("t-" + i).getBytes(UTF_8), record.headers().lastHeader("trace").value());
            assertEquals(Utils.toPositive(Utils.murmur2(key.getBytes(UTF_8))) % 6, record.partition(), key);
            assertEquals(rawClientPartitions.get(key), record.partition(), key);
            Delivery delivery = deliveries.get(i).get();
            assertEquals(new Delivery(topic, record.partition(), record.offset(), record.timestamp()), delivery);
        }
        assertNull(byValue.get("no-key").key());
    }

    private static Map<String, Integer> partitionsChosenByAPlainKafkaProducer(EmbeddedKafka kafka, String topic, int keys)
            throws Exception {
        Map<String, Integer> partitions = new HashMap<>();
        try (KafkaProducer<String, String> raw = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            for (int k = 0; k < keys; k++) {
                RecordMetadata metadata = raw.send(new ProducerRecord<>(topic, "key-" + k, "raw")).get(10, TimeUnit.SECONDS);
                partitions.put("key-" + k, metadata.partition());
            }
        }
        return partitions;
    }

    @Test
    void byteArraysKafkaHeadersAndCustomSerializers(EmbeddedKafka kafka) throws Exception {
        configure(kafka);
        String topic = kafka.createUniqueTopic("bytes", 1);
        Producer<byte[]> bytes = Producer.of(ProducerSpec.topic(topic).bytes());
        bytes.produce(new byte[] {0, 1, 2, (byte) 255}, "k", List.of(new RecordHeader("bin", new byte[] {9}))).get(10, TimeUnit.SECONDS);
        Serializer<Integer> decimal = (t, n) -> Integer.toString(n * 2).getBytes(UTF_8);
        Producer.of(ProducerSpec.topic(topic).serializer(decimal)).produce(21).get(10, TimeUnit.SECONDS);

        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll(topic, 2, Duration.ofSeconds(20));
        assertEquals(2, records.size());
        assertArrayEquals(new byte[] {0, 1, 2, (byte) 255}, records.get(0).value());
        assertArrayEquals(new byte[] {9}, records.get(0).headers().lastHeader("bin").value());
        assertEquals("42", new String(records.get(1).value(), UTF_8));
    }

    @Test
    void flushDeliversBufferedMessagesWithoutWaitingForTheInterval(EmbeddedKafka kafka) throws Exception {
        // A ten-minute delivery interval: without flush() nothing would be sent during this test.
        SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).deliveryInterval(Duration.ofMinutes(10))
                .meterRegistry(meters));
        String topic = kafka.createUniqueTopic("flush", 2);
        TopicProducer producer = new TopicProducer(topic);
        List<CompletableFuture<Delivery>> deliveries = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            deliveries.add(producer.produce("m" + i, "k" + i));
        }
        producer.flush();
        assertTrue(deliveries.stream().allMatch(f -> f.isDone() && !f.isCompletedExceptionally()));
        for (int i = 0; i < 500; i++) {
            deliveries.add(producer.produce("n" + i, "k" + i));
        }
        SuperFlux.flush();
        assertTrue(deliveries.stream().allMatch(f -> f.isDone() && !f.isCompletedExceptionally()));
        assertEquals(1000, kafka.readAll(topic, 1000, Duration.ofSeconds(20)).size());
    }

    @Test
    void aFailedDeliveryFailsTheFutureIsLoggedAndCounted(EmbeddedKafka kafka) throws Exception {
        SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).producerProperty("max.request.size", 1024)
                .meterRegistry(meters));
        String topic = kafka.createUniqueTopic("too-large", 1);
        Logger logger = (Logger) LoggerFactory.getLogger(ClusterProducer.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            TopicProducer producer = new TopicProducer(topic);
            CompletableFuture<Delivery> delivery = producer.produce("x".repeat(10_000), "k");
            ExecutionException failure = assertThrows(ExecutionException.class, () -> delivery.get(30, TimeUnit.SECONDS));
            assertInstanceOf(RecordTooLargeException.class, failure.getCause());
            producer.produce("small", "k").get(30, TimeUnit.SECONDS);

            assertEquals(1.0, meters.get("flux.producer.errors").tag("topic", topic).functionCounter().count());
            assertEquals(1.0, meters.get("flux.producer.sent").tag("topic", topic).functionCounter().count());
            assertTrue(appender.list.stream().anyMatch(e -> e.getLevel() == Level.ERROR
                    && e.getFormattedMessage().contains(topic)
                    && e.getFormattedMessage().contains("RecordTooLargeException")), appender.list.toString());
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void aProducerOfAnUnknownClusterFailsClearly(EmbeddedKafka kafka) {
        configure(kafka);
        FluxConfigException e = assertThrows(FluxConfigException.class,
                () -> new TopicProducer("anything", "nowhere").produce("x"));
        assertTrue(e.getMessage().contains("Unknown Kafka cluster 'nowhere'"), e.getMessage());
    }

    @Test
    void reconfiguringWhileClientsRunIsRefused(EmbeddedKafka kafka) throws Exception {
        configure(kafka);
        String topic = kafka.createUniqueTopic("reconfigure", 1);
        new TopicProducer(topic).produce("x").get(30, TimeUnit.SECONDS);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> configure(kafka));
        assertTrue(e.getMessage().contains("SuperFlux.shutdown()"), e.getMessage());
        SuperFlux.shutdown();
        configure(kafka);
        new TopicProducer(topic).produce("y").get(30, TimeUnit.SECONDS);
        assertEquals(2, kafka.readAll(topic, 2, Duration.ofSeconds(20)).size());
    }
}
