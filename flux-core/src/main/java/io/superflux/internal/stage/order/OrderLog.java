package io.superflux.internal.stage.order;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

import io.superflux.internal.stage.StageFailedException;
import io.superflux.internal.stage.environment.StageTime;

/**
 * Reads stage 0's partitions of the order topic with a consumer of its own (assigned, no group):
 * from the beginning when a partition is assigned ({@link #restore}), then what is written to it
 * since ({@link #poll}) — the done entries the retry stages write, and this stage's own entries
 * read back. Stage thread only.
 */
final class OrderLog {
    private static final Duration RESTORE_POLL = Duration.ofMillis(100);
    /** A poll of the order topic costs the stage thread: on a busy loop, this often at most (a release waits up to that). */
    private static final long TAIL_POLL_MS = 20;

    /** An entry of an input partition's order partition. */
    record Read(TopicPartition input, OrderEntries.Entry entry) {
    }

    /** What a restore read: the last entry of each Kafka key of the restored partitions, and what came for the others. */
    record Restored(Map<TopicPartition, Collection<OrderEntries.Entry>> latest, List<Read> others) {
    }

    private final Consumer<byte[], byte[]> consumer;
    private final String inputTopic;
    private final String orderTopic;
    private final StageTime time;
    private final Set<TopicPartition> assigned = new HashSet<>();
    private long nextPollAt;

    OrderLog(Consumer<byte[], byte[]> consumer, String inputTopic, String orderTopic, StageTime time) {
        this.consumer = consumer;
        this.inputTopic = inputTopic;
        this.orderTopic = orderTopic;
        this.time = time;
    }

    /**
     * Reads the order partitions of {@code inputs} from their beginning to their end as of now.
     *
     * @throws StageFailedException if that takes longer than {@code timeoutMillis}
     */
    Restored restore(Collection<TopicPartition> inputs, long timeoutMillis) {
        List<TopicPartition> fresh = new ArrayList<>();
        for (TopicPartition input : inputs) {
            fresh.add(new TopicPartition(orderTopic, input.partition()));
        }
        assigned.addAll(fresh);
        consumer.assign(assigned);
        consumer.seekToBeginning(fresh);
        Map<TopicPartition, Long> end = Map.copyOf(consumer.endOffsets(fresh, Duration.ofMillis(timeoutMillis)));
        Map<TopicPartition, Long> ends = new HashMap<>(end); // what is still to be read: shrinks as partitions catch up
        Map<TopicPartition, Map<ByteBuffer, OrderEntries.Entry>> latest = new LinkedHashMap<>();
        fresh.forEach(partition -> latest.put(partition, new LinkedHashMap<>()));
        List<Read> others = new ArrayList<>();
        long deadline = time.nanos() + timeoutMillis * 1_000_000;
        while (!caughtUp(ends)) {
            if (time.nanos() > deadline) {
                throw new StageFailedException("ordered retries: reading " + orderTopic + " " + ends.keySet()
                        + " to its end took more than " + timeoutMillis + " ms", null);
            }
            ConsumerRecords<byte[], byte[]> records = consumer.poll(RESTORE_POLL);
            for (ConsumerRecord<byte[], byte[]> record : records) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                Map<ByteBuffer, OrderEntries.Entry> entries = latest.get(partition);
                OrderEntries.read(record).ifPresent(entry -> {
                    if (entries != null && record.offset() < end.getOrDefault(partition, 0L)) {
                        // a parked record's bytes are fetched when it is released: the read back keeps only where it is
                        entries.put(ByteBuffer.wrap(record.key()), entry.withoutValue());
                    } else {
                        others.add(new Read(input(partition), entry));
                    }
                });
            }
        }
        Map<TopicPartition, Collection<OrderEntries.Entry>> byInput = new LinkedHashMap<>();
        latest.forEach((partition, entries) -> byInput.put(input(partition), entries.values()));
        return new Restored(byInput, others);
    }

    private boolean caughtUp(Map<TopicPartition, Long> ends) {
        ends.entrySet().removeIf(end -> consumer.position(end.getKey()) >= end.getValue());
        return ends.isEmpty();
    }

    /** What was written since the last look (does not wait); looks at most every {@value #TAIL_POLL_MS} ms. */
    List<Read> poll() {
        long now = time.millis();
        if (assigned.isEmpty() || now < nextPollAt) {
            return List.of();
        }
        nextPollAt = now + TAIL_POLL_MS;
        List<Read> reads = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ZERO)) {
            OrderEntries.read(record).ifPresent(entry -> reads.add(new Read(input(record.partition()), entry)));
        }
        return reads;
    }

    /** Stops reading the order partitions of {@code inputs}. */
    void forget(Collection<TopicPartition> inputs) {
        boolean changed = false;
        for (TopicPartition input : inputs) {
            changed |= assigned.remove(new TopicPartition(orderTopic, input.partition()));
        }
        if (changed) {
            consumer.assign(assigned);
        }
    }

    /** Closes its consumer. */
    void close() {
        consumer.close(Duration.ofSeconds(5));
    }

    private TopicPartition input(TopicPartition order) {
        return input(order.partition());
    }

    private TopicPartition input(int partition) {
        return new TopicPartition(inputTopic, partition);
    }
}
