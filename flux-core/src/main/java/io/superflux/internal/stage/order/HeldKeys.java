package io.superflux.internal.stage.order;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * What the order topic of a task with ordered retries holds, read from end to end by an operator's
 * command (not a stage): the held keys with their leader, since when, how many records are parked
 * behind them and whether the leader is done (the key is being released). And an operator's
 * release of a key: the done entry a retry stage would have written for its leader.
 */
public final class HeldKeys {
    /** One held key of one partition. */
    public record Held(int partition, byte[] key, long leader, long since, int parked, boolean leaderDone) {
    }

    private HeldKeys() {
    }

    /** Reads {@code orderTopic} (with {@code consumer}, which it assigns) to its end as of now. */
    public static List<Held> read(Consumer<byte[], byte[]> consumer, String orderTopic, Duration timeout) {
        List<TopicPartition> partitions = consumer.partitionsFor(orderTopic, timeout).stream()
                .map(info -> new TopicPartition(orderTopic, info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions, timeout));
        Map<TopicPartition, Map<ByteBuffer, OrderEntries.Entry>> latest = new LinkedHashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (ends.entrySet().stream().anyMatch(end -> consumer.position(end.getKey()) < end.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("reading " + orderTopic + " to its end took more than " + timeout);
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                OrderEntries.read(record).ifPresent(entry -> latest.computeIfAbsent(partition, p -> new LinkedHashMap<>())
                        .put(ByteBuffer.wrap(record.key()), entry.withoutValue()));
            }
        }
        List<Held> held = new ArrayList<>();
        latest.forEach((partition, entries) -> held.addAll(holds(partition.partition(), entries.values())));
        return held;
    }

    private static List<Held> holds(int partition, java.util.Collection<OrderEntries.Entry> entries) {
        Map<ByteBuffer, OrderEntries.Entry> holds = new HashMap<>();
        for (OrderEntries.Entry entry : entries) {
            if (entry.type() == OrderEntries.HOLD && !entry.removed()) {
                holds.merge(ByteBuffer.wrap(entry.recordKey()), entry, (a, b) -> a.offset() >= b.offset() ? a : b);
            }
        }
        List<Held> held = new ArrayList<>();
        holds.forEach((key, hold) -> {
            int parked = 0;
            boolean done = false;
            for (OrderEntries.Entry entry : entries) {
                if (entry.removed() || !ByteBuffer.wrap(entry.recordKey()).equals(key)) {
                    continue;
                }
                parked += entry.type() == OrderEntries.PARKED && entry.offset() > hold.offset() ? 1 : 0;
                done |= entry.type() == OrderEntries.DONE && entry.offset() == hold.offset();
            }
            held.add(new Held(partition, hold.recordKey(), hold.leader(), hold.heldSince(), parked, done));
        });
        held.sort((a, b) -> Long.compare(a.since(), b.since()));
        return held;
    }

    /**
     * Releases {@code held}: writes its leader's done entry with {@code producer} (its parked
     * records go on once stage 0 reads it) and waits for it to be acknowledged.
     */
    public static void release(Producer<byte[], byte[]> producer, String orderTopic, Held held, Duration timeout)
            throws Exception {
        ProducerRecord<byte[], byte[]> done = OrderEntries.done(orderTopic, held.partition(), held.key(), held.leader(), -1,
                System.currentTimeMillis());
        producer.send(done).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
