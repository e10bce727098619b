package io.superflux.internal.stage.order;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches parked records back from the order topic when their key is released, with a consumer
 * of its own (assigned, no group): it seeks to the first entry asked for, reads forward and picks
 * out the entries asked for. It never waits: what comes, comes with a later look. Stage thread only.
 */
final class ParkedReader {
    private static final Logger log = LoggerFactory.getLogger(ParkedReader.class);

    /** A parked entry fetched for {@code hold} ({@code entry} null if it is gone from the topic). */
    record Fetched(TopicPartition input, Hold hold, OrderEntries.Entry entry) {
    }

    private final Consumer<byte[], byte[]> consumer;
    private final String inputTopic;
    private final String orderTopic;
    /** Per order partition, the entries asked for by their offset in it. */
    private final Map<TopicPartition, TreeMap<Long, Hold>> wanted = new HashMap<>();
    private final Map<TopicPartition, Long> positions = new HashMap<>();

    ParkedReader(Consumer<byte[], byte[]> consumer, String inputTopic, String orderTopic) {
        this.consumer = consumer;
        this.inputTopic = inputTopic;
        this.orderTopic = orderTopic;
    }

    /** Asks for the parked entry at {@code entryOffset} of {@code input}'s order partition, for {@code hold}. */
    void request(TopicPartition input, long entryOffset, Hold hold) {
        TopicPartition partition = new TopicPartition(orderTopic, input.partition());
        boolean assign = !wanted.containsKey(partition);
        wanted.computeIfAbsent(partition, p -> new TreeMap<>()).put(entryOffset, hold);
        if (assign) {
            consumer.assign(wanted.keySet());
            positions.clear();
        }
    }

    /** What was fetched since the last look. */
    List<Fetched> poll() {
        if (wanted.isEmpty()) {
            return List.of();
        }
        for (Map.Entry<TopicPartition, TreeMap<Long, Hold>> partition : wanted.entrySet()) {
            long first = partition.getValue().firstKey();
            Long position = positions.get(partition.getKey());
            if (position == null || position > first) {
                consumer.seek(partition.getKey(), first);
                positions.put(partition.getKey(), first);
            }
        }
        List<Fetched> fetched = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ZERO)) {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            TreeMap<Long, Hold> asked = wanted.get(partition);
            if (asked == null) {
                continue;
            }
            positions.put(partition, record.offset() + 1);
            Hold hold = asked.remove(record.offset());
            if (hold != null) {
                OrderEntries.read(record).ifPresent(entry -> fetched.add(new Fetched(input(partition), hold, entry)));
            }
            missing(partition, asked, record.offset(), fetched);
        }
        wanted.values().removeIf(TreeMap::isEmpty);
        return fetched;
    }

    /**
     * Entries asked for below {@code passed} that did not come are gone from the topic: nothing
     * can bring them back; they are fetched as nothing.
     */
    private void missing(TopicPartition partition, TreeMap<Long, Hold> asked, long passed, List<Fetched> fetched) {
        while (!asked.isEmpty() && asked.firstKey() < passed) {
            Map.Entry<Long, Hold> gone = asked.pollFirstEntry();
            log.error("ordered retries: the parked entry at {}-{}@{} is no longer in the topic (removed by hand?); its key's"
                    + " next records go on without it", partition.topic(), partition.partition(), gone.getKey());
            fetched.add(new Fetched(input(partition), gone.getValue(), null));
        }
    }

    /** Forgets what was asked for {@code inputs}. */
    void forget(Collection<TopicPartition> inputs) {
        boolean changed = false;
        for (TopicPartition input : inputs) {
            TopicPartition partition = new TopicPartition(orderTopic, input.partition());
            changed |= wanted.remove(partition) != null;
            positions.remove(partition);
        }
        if (changed) {
            consumer.assign(wanted.keySet());
        }
    }

    /** Closes its consumer. */
    void close() {
        consumer.close(Duration.ofSeconds(5));
    }

    private TopicPartition input(TopicPartition order) {
        return new TopicPartition(inputTopic, order.partition());
    }
}
