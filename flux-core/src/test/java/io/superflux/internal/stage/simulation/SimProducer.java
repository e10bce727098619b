package io.superflux.internal.stage.simulation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * A producer of the simulated cluster with kafka-clients' behaviour: a send that fails before
 * the record is buffered (no metadata within max.block.ms, a record too large) calls back on the
 * caller's thread and returns a failed future; the others are answered on the producer's own
 * I/O thread (a simulated thread) after a latency; a transactional producer follows the
 * TransactionManager's states — a failed send makes the transaction abortable, a commit that
 * timed out may only be retried (an abort then throws IllegalStateException), a fenced producer
 * can only be closed.
 */
final class SimProducer implements Producer<byte[], byte[]> {
    enum State { READY, IN_TRANSACTION, COMMITTING, ABORTING, ABORTABLE_ERROR, FATAL_ERROR }

    private record Send(long at, long sequence, TopicPartition partition, ProducerRecord<byte[], byte[]> record,
                        Callback callback, CompletableFuture<RecordMetadata> future, Exception error,
                        SimCluster.Transaction transaction) {
    }

    private final SimWorld world;
    private final SimScheduler scheduler;
    private final SimCluster cluster;
    private final SplittableRandom random;
    private final int incarnation;
    private final String transactionalId;
    private final long maxBlockMs;
    private final java.util.Map<TopicPartition, Long> lastAnswerAt = new java.util.HashMap<>();
    private final PriorityQueue<Send> inFlight = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at)
            : Long.compare(a.sequence, b.sequence));
    private final List<SimScheduler.SimThread> flushing = new ArrayList<>();
    private final SimScheduler.SimThread io;
    private long sequence;
    private boolean closed;
    private State state = State.READY;
    private SimCluster.Transaction transaction;
    private KafkaException lastError;
    private boolean fenced;
    /** A commit that timed out reached the broker: retrying it finds it done. */
    private boolean commitApplied;

    SimProducer(SimWorld world, int incarnation, String transactionalId, SplittableRandom random) {
        this.world = world;
        this.scheduler = world.scheduler();
        this.cluster = world.cluster();
        this.incarnation = incarnation;
        this.transactionalId = transactionalId;
        this.random = random;
        this.maxBlockMs = 200 + random.nextInt(2_000);
        this.io = scheduler.spawn("producer-io-" + incarnation + (transactionalId == null ? "" : "-tx"), this::ioLoop);
    }

    String transactionalId() {
        return transactionalId;
    }

    /** Another producer took over the transactional id: the open transaction is aborted, this one is fenced. */
    void fence() {
        fenced = true;
        if (transaction != null) {
            cluster.abortTransaction(transaction);
        }
    }

    private void ioLoop() {
        while (true) {
            Send next = inFlight.peek();
            if (next == null || next.at > scheduler.now()) {
                if (closed && next == null) {
                    return;
                }
                scheduler.awaitUninterruptibly(next == null ? Long.MAX_VALUE : next.at);
                continue;
            }
            inFlight.poll();
            try {
                complete(next);
            } finally {
                if (inFlight.isEmpty()) {
                    flushing.forEach(scheduler::wake);
                }
            }
        }
    }

    private void complete(Send send) {
        if (!world.isAlive(incarnation)) {
            return; // the process died with the request in flight: nobody hears of it
        }
        Exception error = send.error;
        if (error == null && send.transaction != null && (fenced || send.transaction.state != SimCluster.Transaction.State.OPEN)) {
            error = new ProducerFencedException("simulated: the transaction ended before the send completed");
        }
        if (error == null) {
            SimCluster.Stored stored = cluster.append(send.partition, send.record.key(), send.record.value(),
                    new RecordHeaders(send.record.headers().toArray()), scheduler.now(), send.transaction);
            world.history().acknowledged(stored, incarnation);
            RecordMetadata metadata = new RecordMetadata(send.partition, stored.offset, 0, scheduler.now(), 0, 0);
            send.future.complete(metadata);
            send.callback.onCompletion(metadata, null);
        } else {
            if (transactionalId != null && state == State.IN_TRANSACTION) {
                state = State.ABORTABLE_ERROR;
                lastError = error instanceof KafkaException kafka ? kafka : new KafkaException(error);
            }
            send.future.completeExceptionally(error);
            send.callback.onCompletion(null, error);
        }
    }

    private void checkUsable() {
        if (scheduler.ended()) {
            throw new SimScheduler.Ended();
        }
        world.checkAlive(incarnation);
        if (closed) {
            throw new IllegalStateException("Cannot perform operation after producer has been closed");
        }
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        checkUsable();
        CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
        int partitions = cluster.partitions(record.topic());
        int number = record.partition() != null ? record.partition()
                : record.key() == null ? random.nextInt(Math.max(1, partitions))
                : Math.floorMod(java.util.Arrays.hashCode(record.key()), Math.max(1, partitions));
        TopicPartition partition = new TopicPartition(record.topic(), number);
        if (transactionalId != null) {
            if (fenced) {
                return failAtOnce(future, callback, new ProducerFencedException("simulated: fenced"));
            }
            if (state == State.ABORTABLE_ERROR) {
                throw new KafkaException("Cannot perform send because at least one previous transactional or"
                        + " idempotent request has failed with errors.", lastError);
            }
            if (state != State.IN_TRANSACTION) {
                throw new IllegalStateException("Cannot add partition " + partition + " to transaction while in state " + state);
            }
        }
        SimFaults.Send fault = world.faults().send(record.topic(), random);
        switch (fault) {
            case BLOCK -> {
                try {
                    scheduler.await(scheduler.now() + maxBlockMs, true);
                } catch (InterruptedException e) {
                    throw new InterruptException(e);
                }
                return failAtOnce(future, callback, new TimeoutException("Topic " + record.topic()
                        + " not present in metadata after " + maxBlockMs + " ms."));
            }
            case TOO_LARGE -> {
                return failAtOnce(future, callback, new RecordTooLargeException("simulated: the message is too large"));
            }
            case THROW -> throw new KafkaException("simulated: the send failed at once");
            default -> {
            }
        }
        long latency = fault == SimFaults.Send.DELIVERY_TIMEOUT ? 30_000 + random.nextInt(90_000) : 1 + random.nextInt(40);
        Exception error = switch (fault) {
            case FAIL -> random.nextBoolean() ? new NotLeaderOrFollowerException("simulated")
                    : new InvalidProducerEpochException("simulated: producer epoch bumped");
            case DELIVERY_TIMEOUT -> new TimeoutException("Expiring 1 record(s) for " + partition + ": simulated delivery timeout");
            default -> null;
        };
        if (error instanceof InvalidProducerEpochException && transactionalId == null) {
            error = new NotLeaderOrFollowerException("simulated");
        }
        // as an idempotent producer does, a partition's sends are answered (and written) in the order they were sent
        long at = Math.max(scheduler.now() + latency, lastAnswerAt.getOrDefault(partition, 0L));
        lastAnswerAt.put(partition, at);
        inFlight.add(new Send(at, sequence++, partition, record, callback, future, error, transaction));
        scheduler.wake(io);
        return future;
    }

    private Future<RecordMetadata> failAtOnce(CompletableFuture<RecordMetadata> future, Callback callback, KafkaException error) {
        if (transactionalId != null && state == State.IN_TRANSACTION) {
            state = State.ABORTABLE_ERROR;
            lastError = error;
        }
        callback.onCompletion(null, error);
        future.completeExceptionally(error);
        return future;
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
        return send(record, (metadata, error) -> { });
    }

    @Override
    public void flush() {
        checkUsable();
        SimScheduler.SimThread self = scheduler.current();
        flushing.add(self);
        try {
            while (!inFlight.isEmpty()) {
                try {
                    scheduler.await(Long.MAX_VALUE, true);
                } catch (InterruptedException e) {
                    throw new InterruptException(e);
                }
                world.checkAlive(incarnation);
            }
        } finally {
            flushing.remove(self);
        }
    }

    @Override
    public void initTransactions() {
        checkUsable();
        cluster.initTransactions(this);
    }

    private void requireState(State expected, String operation) {
        if (fenced) {
            state = State.FATAL_ERROR;
            throw new ProducerFencedException("simulated: another producer took transactional id " + transactionalId);
        }
        if (state == State.FATAL_ERROR) {
            throw new KafkaException("Cannot execute transactional method because we are in an error state", lastError);
        }
        if (state != expected) {
            throw new IllegalStateException("TransactionalId " + transactionalId + ": Invalid transition attempted from state "
                    + state + " (" + operation + ")");
        }
    }

    @Override
    public void beginTransaction() {
        checkUsable();
        requireState(State.READY, "beginTransaction");
        transaction = new SimCluster.Transaction(transactionalId, incarnation);
        state = State.IN_TRANSACTION;
    }

    @Override
    public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        checkUsable();
        if (state == State.ABORTABLE_ERROR) {
            throw new KafkaException("Cannot execute transactional method because we are in an error state", lastError);
        }
        requireState(State.IN_TRANSACTION, "sendOffsetsToTransaction");
        transaction.group = group.groupId();
        transaction.offsets.putAll(offsets);
    }

    @Override
    public void commitTransaction() {
        checkUsable();
        if (state == State.COMMITTING) {
            finishCommit(); // retrying a commit that timed out: it completes
            return;
        }
        if (state == State.ABORTABLE_ERROR) {
            throw new KafkaException("Cannot execute transactional method because we are in an error state", lastError);
        }
        requireState(State.IN_TRANSACTION, "commitTransaction");
        flush();
        if (state == State.ABORTABLE_ERROR) {
            throw new KafkaException("Cannot execute transactional method because we are in an error state", lastError);
        }
        if (fenced) {
            requireState(State.IN_TRANSACTION, "commitTransaction");
        }
        switch (world.faults().transactionCommit(random)) {
            case TIMEOUT -> {
                state = State.COMMITTING;
                commitApplied = random.nextBoolean();
                if (commitApplied) {
                    cluster.commitTransaction(transaction);
                }
                throw new TimeoutException("Timeout expired after " + maxBlockMs + "ms while awaiting EndTxn(true)");
            }
            case ABORTABLE -> {
                state = State.ABORTABLE_ERROR;
                lastError = new KafkaException("simulated: the coordinator could not end the transaction");
                throw lastError;
            }
            case EPOCH -> {
                state = State.ABORTABLE_ERROR;
                lastError = new InvalidProducerEpochException("simulated: producer epoch bumped");
                throw lastError;
            }
            case FENCED -> {
                cluster.abortTransaction(transaction);
                state = State.FATAL_ERROR;
                fenced = true;
                throw new ProducerFencedException("simulated: a newer producer has the same transactional id");
            }
            default -> {
                cluster.commitTransaction(transaction);
                transaction = null;
                state = State.READY;
            }
        }
    }

    private void finishCommit() {
        if (!commitApplied) {
            cluster.commitTransaction(transaction);
        }
        commitApplied = false;
        transaction = null;
        state = State.READY;
    }

    @Override
    public void abortTransaction() {
        checkUsable();
        if (fenced) {
            state = State.FATAL_ERROR;
            throw new ProducerFencedException("simulated: fenced");
        }
        if (state == State.COMMITTING) {
            throw new IllegalStateException("TransactionalId " + transactionalId + ": Invalid transition attempted from state"
                    + " COMMITTING_TRANSACTION to state ABORTING_TRANSACTION");
        }
        if (state == State.ABORTING && inFlight.isEmpty()) {
            finishAbort();
            return;
        }
        if (state == State.ABORTING) {
            state = State.IN_TRANSACTION; // wait for the sends again below
        }
        if (state != State.IN_TRANSACTION && state != State.ABORTABLE_ERROR) {
            requireState(State.IN_TRANSACTION, "abortTransaction");
        }
        // In-flight sends of the transaction are answered before the abort completes; it waits for
        // them at most max.block.ms, as kafka-clients does, then times out (and may be tried again).
        long deadline = scheduler.now() + maxBlockMs;
        SimScheduler.SimThread self = scheduler.current();
        flushing.add(self);
        try {
            while (!inFlight.isEmpty() && scheduler.now() < deadline) {
                scheduler.awaitUninterruptibly(deadline);
                world.checkAlive(incarnation);
            }
        } finally {
            flushing.remove(self);
        }
        if (!inFlight.isEmpty()) {
            state = State.ABORTING;
            throw new TimeoutException("Timeout expired after " + maxBlockMs + "ms while awaiting the transaction's sends");
        }
        if (world.faults().transactionAbortTimesOut(random)) {
            state = State.ABORTING;
            throw new TimeoutException("Timeout expired after " + maxBlockMs + "ms while awaiting EndTxn(false)");
        }
        finishAbort();
    }

    private void finishAbort() {
        cluster.abortTransaction(transaction);
        transaction = null;
        lastError = null;
        state = State.READY;
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        checkUsable();
        List<PartitionInfo> infos = new ArrayList<>();
        for (int i = 0; i < cluster.partitions(topic); i++) {
            infos.add(new PartitionInfo(topic, i, null, null, null));
        }
        return infos;
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        return Map.of();
    }

    @Override
    public void close(Duration timeout) {
        if (!closed && world.isAlive(incarnation) && scheduler.isSimulated()) {
            try {
                flush();
            } catch (RuntimeException e) {
                // closing anyway
            }
        }
        closed = true;
        scheduler.wake(io);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    /** Whether a transaction is open (for the end-of-run check). */
    boolean inTransaction() {
        return transaction != null && transaction.state == SimCluster.Transaction.State.OPEN;
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
        throw new IllegalStateException("the stage engine does not ask a producer for its client instance id (KIP-714);"
                + " simulate it before the engine does");
    }
}
