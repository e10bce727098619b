package io.superflux.internal.stage.simulation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;

/**
 * The simulated Kafka cluster: topics of partitioned logs, each group's committed offsets, and
 * transactions (records written in an open transaction are invisible to read_committed readers
 * until it commits, and forever if it aborts; its offsets reach the group only with its commit).
 * Every change is reported to the {@link SimHistory}, which checks the invariants.
 */
final class SimCluster {
    /** One record in a log. */
    static final class Stored {
        final TopicPartition partition;
        final long offset;
        final byte[] key;
        final byte[] value;
        final Headers headers;
        final long timestamp;
        Transaction transaction;

        Stored(TopicPartition partition, long offset, byte[] key, byte[] value, Headers headers, long timestamp,
               Transaction transaction) {
            this.partition = partition;
            this.offset = offset;
            this.key = key;
            this.value = value;
            this.headers = headers;
            this.timestamp = timestamp;
            this.transaction = transaction;
        }

        /** The record as a consumer reads it. */
        org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> read() {
            return new org.apache.kafka.clients.consumer.ConsumerRecord<>(partition.topic(), partition.partition(), offset, timestamp,
                    org.apache.kafka.common.record.TimestampType.CREATE_TIME, key == null ? -1 : key.length,
                    value == null ? -1 : value.length, key, value, headers, java.util.Optional.empty());
        }

        boolean committed() {
            return transaction == null || transaction.state == Transaction.State.COMMITTED;
        }

        boolean aborted() {
            return transaction != null && transaction.state == Transaction.State.ABORTED;
        }

        boolean open() {
            return transaction != null && transaction.state == Transaction.State.OPEN;
        }
    }

    /** One transaction of a transactional producer. */
    static final class Transaction {
        enum State { OPEN, COMMITTED, ABORTED }

        final String transactionalId;
        final int incarnation;
        State state = State.OPEN;
        final List<Stored> records = new ArrayList<>();
        String group;
        final Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();

        Transaction(String transactionalId, int incarnation) {
            this.transactionalId = transactionalId;
            this.incarnation = incarnation;
        }
    }

    private final Map<String, List<List<Stored>>> topics = new LinkedHashMap<>();
    private final Map<String, Map<TopicPartition, OffsetAndMetadata>> groups = new HashMap<>();
    private final Map<String, SimProducer> transactionalProducers = new HashMap<>();
    private final SimHistory history;

    SimCluster(SimHistory history) {
        this.history = history;
    }

    void createTopic(String topic, int partitions) {
        List<List<Stored>> logs = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            logs.add(new ArrayList<>());
        }
        topics.put(topic, logs);
    }

    boolean hasTopic(String topic) {
        return topics.containsKey(topic);
    }

    int partitions(String topic) {
        List<List<Stored>> logs = topics.get(topic);
        return logs == null ? 0 : logs.size();
    }

    Map<String, List<List<Stored>>> topics() {
        return topics;
    }

    List<Stored> log(TopicPartition partition) {
        return topics.get(partition.topic()).get(partition.partition());
    }

    /** Appends a record (in {@code transaction} if not null) and returns it. */
    Stored append(TopicPartition partition, byte[] key, byte[] value, Headers headers, long timestamp,
                  Transaction transaction) {
        List<Stored> log = log(partition);
        Stored stored = new Stored(partition, log.size(), key, value, headers, timestamp, transaction);
        log.add(stored);
        if (transaction != null) {
            transaction.records.add(stored);
        }
        history.appended(stored);
        return stored;
    }

    /** The offset after the last record (the high watermark). */
    long logEnd(TopicPartition partition) {
        return log(partition).size();
    }

    /** For read_committed readers: the first offset of an open transaction, else the log end. */
    long lastStableOffset(TopicPartition partition) {
        List<Stored> log = log(partition);
        for (Stored stored : log) {
            if (stored.open()) {
                return stored.offset;
            }
        }
        return log.size();
    }

    OffsetAndMetadata committed(String group, TopicPartition partition) {
        return groups.getOrDefault(group, Map.of()).get(partition);
    }

    /** The group's commit of {@code offsets}, outside a transaction. */
    void commit(String group, Map<TopicPartition, OffsetAndMetadata> offsets, String how) {
        Map<TopicPartition, OffsetAndMetadata> committed = groups.computeIfAbsent(group, g -> new HashMap<>());
        offsets.forEach((partition, offset) -> {
            OffsetAndMetadata before = committed.put(partition, offset);
            history.committed(group, partition, before == null ? -1 : before.offset(), offset.offset(), how);
        });
    }

    /**
     * Registers {@code producer} under its transactional id: the producer that had it before is
     * fenced, and the transaction it left open is aborted.
     */
    void initTransactions(SimProducer producer) {
        SimProducer before = transactionalProducers.put(producer.transactionalId(), producer);
        if (before != null && before != producer) {
            before.fence();
        }
    }

    /** Whether {@code producer} still holds its transactional id. */
    boolean isCurrent(SimProducer producer) {
        return transactionalProducers.get(producer.transactionalId()) == producer;
    }

    void commitTransaction(Transaction transaction) {
        transaction.state = Transaction.State.COMMITTED;
        if (transaction.group != null && !transaction.offsets.isEmpty()) {
            commit(transaction.group, transaction.offsets, "transaction");
        }
        history.transactionCommitted(transaction);
    }

    void abortTransaction(Transaction transaction) {
        if (transaction.state == Transaction.State.OPEN) {
            transaction.state = Transaction.State.ABORTED;
            history.transactionAborted(transaction);
        }
    }
}
