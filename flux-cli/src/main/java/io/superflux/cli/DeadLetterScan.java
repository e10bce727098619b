package io.superflux.cli;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.superflux.FluxConfig;
import io.superflux.internal.kafka.ClientProperties;
import io.superflux.retry.Stage;

/**
 * Reads a dead-letter topic from given offsets up to its end as it was when the scan opened (dead
 * letters that arrive meanwhile wait for the next run), committed records only (read_committed). Its consumer is assigned, never
 * subscribed: reading disturbs no group; only {@link #commit} writes the replay group's offsets.
 */
final class DeadLetterScan implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final Map<TopicPartition, Long> ends;
    private final Map<TopicPartition, Long> starts;
    private final Duration timeout;

    DeadLetterScan(FluxConfig config, String clusterName, String topic, String group) {
        this.timeout = config.startupTimeout();
        Map<String, Object> properties = ClientProperties.consumer(config.cluster(clusterName), config.consumerProperties(), group,
                Stage.Kind.DEAD_LETTER);
        // Under exactly-once dead letters are written in transactions: one of an aborted transaction never was one.
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            this.partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).sorted((a, b) -> a.partition() - b.partition())
                    .collect(Collectors.toList());
            consumer.assign(partitions);
            this.ends = consumer.endOffsets(partitions, timeout);
            this.starts = consumer.beginningOffsets(partitions, timeout);
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    List<TopicPartition> partitions() {
        return partitions;
    }

    /** The first offset still in the log of {@code partition}. */
    long logStart(TopicPartition partition) {
        return starts.get(partition);
    }

    /** The replay group's commits. */
    Map<TopicPartition, OffsetAndMetadata> committed() {
        return consumer.committed(new HashSet<>(partitions), timeout);
    }

    /**
     * Hands each dead letter from {@code from} (per partition; the log start when absent) to the end
     * to {@code visit}, partition by partition; stops when {@code visit} returns false.
     */
    void read(Map<TopicPartition, Long> from, Predicate<ConsumerRecord<byte[], byte[]>> visit) {
        for (TopicPartition partition : partitions) {
            long start = Math.max(from.getOrDefault(partition, starts.get(partition)), starts.get(partition));
            long end = ends.get(partition);
            if (start >= end) {
                continue;
            }
            consumer.assign(List.of(partition));
            consumer.seek(partition, start);
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() >= end) {
                        break;
                    }
                    if (!visit.test(record)) {
                        return;
                    }
                }
            }
        }
    }

    /** Records the replay group's progress. */
    void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (!offsets.isEmpty()) {
            consumer.commitSync(offsets, timeout);
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
