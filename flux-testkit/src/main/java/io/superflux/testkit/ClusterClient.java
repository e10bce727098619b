package io.superflux.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The test side's client of a cluster, whichever kind ({@link EmbeddedKafka}, {@link KafkaCluster}):
 * create topics and wait until their leaders serve them, read topics back, make consumers.
 */
final class ClusterClient {
    private static final Logger log = LoggerFactory.getLogger(ClusterClient.class);
    private static final AtomicInteger READERS = new AtomicInteger();

    private final Map<String, Object> clientProperties;
    private final Admin admin;

    /** {@code clientProperties}: bootstrap.servers and any security settings a client needs. */
    ClusterClient(Map<String, Object> clientProperties, Admin admin) {
        this.clientProperties = Map.copyOf(clientProperties);
        this.admin = admin;
    }

    void createTopic(String name, int partitions, Optional<Short> replicationFactor, Map<String, String> topicConfig) {
        try {
            admin.createTopics(List.of(new NewTopic(name, Optional.of(partitions), replicationFactor).configs(topicConfig)))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not create topic " + name, unwrap(e));
        }
        awaitLeaders(Set.of(name), Duration.ofSeconds(30));
    }

    void awaitLeaders(Collection<String> topics, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> described =
                        admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS);
                boolean ready = described.values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .map(TopicPartitionInfo::leader)
                        .allMatch(leader -> leader != null && !leader.isEmpty());
                if (ready) {
                    // Metadata names a leader a moment before the broker acts as one; ListOffsets is
                    // answered by the acting leader only. Producing earlier can make an idempotent
                    // producer fail with OUT_OF_ORDER_SEQUENCE_NUMBER until its records expire.
                    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                    described.forEach((topic, description) -> description.partitions().forEach(
                            p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
                    admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
                    return;
                }
            } catch (Exception e) {
                // Metadata for a topic created a moment ago may not be visible yet: try again.
                log.debug("topics {} not described yet: {}", topics, e.toString());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("partitions of " + topics + " have no leader after " + timeout);
            }
            sleep(20);
        }
    }

    int partitionCount(String topic) {
        return describe(topic).partitions().size();
    }

    TopicDescription describe(String topic) {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
        } catch (Exception e) {
            throw new IllegalStateException("could not describe topic " + topic, unwrap(e));
        }
    }

    List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected, Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = newConsumer(Map.of())) {
            List<TopicPartition> partitions = List.of();
            while (partitions.isEmpty()) { // a topic another process creates may not exist yet
                partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition()))
                        .collect(Collectors.toList());
                if (partitions.isEmpty()) {
                    if (System.nanoTime() > deadline) {
                        return records;
                    }
                    sleep(50);
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    records.add(record);
                }
                if (records.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                }
            }
        }
        return records;
    }

    KafkaConsumer<byte[], byte[]> newConsumer(Map<String, Object> overrides) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "testkit-reader-" + READERS.incrementAndGet());
        props.putAll(overrides);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    static Throwable unwrap(Throwable e) {
        return e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
    }
}
