package io.superflux.internal.stage.commit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.superflux.internal.stage.environment.StageTime;
import io.superflux.internal.stage.forward.ForwardTracker;
import io.superflux.internal.stage.forward.Forwarder;
import io.superflux.internal.stage.position.PauseControl;
import io.superflux.internal.stage.progress.PartitionProgress;
import io.superflux.internal.stage.progress.StageProgress;
import io.superflux.retry.Stage;

/**
 * Exactly-once: a stage's forwards and its offsets commit in one transaction of its own
 * transactional {@link Forwarder}, once per commit interval — also between two records of a long
 * batch. A transaction is committed only once every forward in it was acknowledged, with the
 * offsets of the records now complete, so no forward is ever visible without its offset, nor an
 * offset without its forward.
 *
 * <p>Anything that leaves the transaction unfit to commit — a failed forward, an abortable error
 * from the commit (InvalidProducerEpochException included, abortable since KIP-588), forwards not
 * acknowledged in time, a partition lost with work in it — aborts it, and every partition is read
 * again from its last commit after a short backoff (longer while aborts repeat). The abort and the
 * rewind take effect in one place, between two records: the rest of the batch is stale then. A
 * commit that timed out may only be retried (kafka-clients then forbids an abort): it is, until
 * the deadline, and then the stage stops — the restarted producer resolves the transaction. A
 * fenced producer, or one kafka-clients cannot go on with, stops the stage.
 */
public final class TransactionalCommits implements CommitStrategy {
    private static final Logger log = LoggerFactory.getLogger(TransactionalCommits.class);
    /** How long a commit waits for the forwards of its transaction before it aborts instead. */
    private static final long FORWARDS_WAIT_MS = 30_000;
    /**
     * How long a running stage tries to abort: an abort waits for the sends in flight, which end
     * by kafka-clients' delivery.timeout.ms (2 minutes by default) at the latest.
     */
    private static final long ABORT_WAIT_MS = 150_000;
    private static final long MIN_ABORT_BACKOFF_MS = 100;
    private static final long MAX_ABORT_BACKOFF_MS = 10_000;
    /** Tries of a commit or an abort that timed out (each waits up to the producer's max.block.ms). */
    private static final int MAX_ATTEMPTS = 10;

    private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
    private final Forwarder forwarder;
    private final ForwardTracker forwards;
    private final StageProgress progress;
    private final PauseControl pauses;
    private final StageTime time;
    private final Stage stage;
    private final long intervalMillis;
    private final Consumer<Collection<TopicPartition>> rereading;
    private final BooleanSupplier halted;
    private long nextCommitAt;
    private long abortBackoffMs;
    private boolean rewound;

    /**
     * {@code rereading} is told which partitions are read again after an abort, so that what the
     * other parts keep of their records (in-place tries, an outage probe) goes too; {@code halted}
     * says when the stage stops (then an abort gets no more time than the stop has).
     */
    public TransactionalCommits(org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer, Forwarder forwarder,
                                ForwardTracker forwards, StageProgress progress, PauseControl pauses, StageTime time,
                                Stage stage, Duration interval, Consumer<Collection<TopicPartition>> rereading,
                                BooleanSupplier halted) {
        this.halted = halted;
        this.consumer = consumer;
        this.forwarder = forwarder;
        this.forwards = forwards;
        this.progress = progress;
        this.pauses = pauses;
        this.time = time;
        this.stage = stage;
        this.intervalMillis = interval.toMillis();
        this.rereading = rereading;
        this.nextCommitAt = time.millis() + intervalMillis;
    }

    @Override
    public boolean betweenRecords() {
        rewound = false;
        if (forwards.abortNeeded()) {
            abortAndRewind("a forward failed", time.millis() + ABORT_WAIT_MS);
        } else if (time.millis() >= nextCommitAt) {
            commit(time.millis() + FORWARDS_WAIT_MS, true);
        }
        return !rewound;
    }

    @Override
    public void onLoop() {
        betweenRecords();
    }

    @Override
    public long millisUntilNextCommit(long max) {
        return Math.max(0, Math.min(max, nextCommitAt - time.millis()));
    }

    @Override
    public void commitNow(Collection<TopicPartition> partitions, long timeoutMillis) {
        try {
            commit(time.millis() + timeoutMillis, false);
        } catch (RuntimeException e) {
            log.warn("{}: the transaction did not commit ({}); its records will be read again", stage, e.toString());
        }
    }

    @Override
    public void lost(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            PartitionProgress lost = progress.get(partition);
            if (lost != null && lost.readSinceCommit()) {
                // Its offsets can no longer be committed, but its forwards may be in the open transaction.
                progress.remove(partitions);
                abortAndRewind("partitions " + partitions + " were lost with work in the open transaction",
                        time.millis() + ABORT_WAIT_MS);
                return;
            }
        }
    }

    /** Commits the open transaction with the offsets of every record now complete, once its forwards are acknowledged. */
    private void commit(long deadline, boolean untilStopped) {
        nextCommitAt = time.millis() + intervalMillis;
        if (!awaitForwards(deadline, untilStopped)) {
            if (untilStopped && halted.getAsBoolean() && !forwards.abortNeeded()) {
                return; // the stop's final commit waits for them
            }
            abortAndRewind(forwards.abortNeeded() ? "a forward failed" : "forwards were not acknowledged in time",
                    abortDeadline(deadline));
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        progress.all().forEach((partition, partitionProgress) -> {
            if (partitionProgress.needsConfirmedCommit()) {
                offsets.put(partition, new OffsetAndMetadata(partitionProgress.committable()));
            }
        });
        try {
            forwarder.commitTransaction(offsets, consumer.groupMetadata());
        } catch (TimeoutException | InterruptException e) {
            retryCommit(deadline, e);
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException | AuthenticationException
                 | UnsupportedVersionException e) {
            throw e; // the producer cannot go on: the stage fails, the restart starts from the last commit
        } catch (KafkaException e) {
            abortAndRewind("committing it failed (" + e + ")", abortDeadline(deadline));
            return;
        }
        offsets.forEach((partition, offset) -> {
            PartitionProgress partitionProgress = progress.get(partition);
            partitionProgress.commitSent(offset.offset());
            partitionProgress.commitConfirmed(offset.offset());
        });
        abortBackoffMs = 0;
    }

    /** How long an abort may take: a running stage waits for it (its sends end in time); a stopping one has its deadline. */
    private long abortDeadline(long deadline) {
        return halted.getAsBoolean() ? deadline : Math.max(deadline, time.millis() + ABORT_WAIT_MS);
    }

    /**
     * Waits for every forward of the open transaction; false if one failed, or they are not all
     * answered by the deadline (or, {@code untilStopped}, when the stage is asked to stop: its
     * final commit waits for them then).
     */
    private boolean awaitForwards(long deadline, boolean untilStopped) {
        while (forwards.sent() > 0 && !forwards.abortNeeded() && time.millis() < deadline
                && !(untilStopped && halted.getAsBoolean())) {
            try {
                time.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            forwards.drain(progress);
        }
        Thread.interrupted();
        return forwards.sent() == 0 && !forwards.abortNeeded();
    }

    /** A commit that timed out may only be committed again (kafka-clients forbids an abort now). */
    private void retryCommit(long deadline, RuntimeException first) {
        RuntimeException last = first;
        for (int attempt = 0; attempt < MAX_ATTEMPTS && time.millis() < deadline; attempt++) {
            Thread.interrupted();
            try {
                forwarder.retryCommit();
                return;
            } catch (TimeoutException | InterruptException e) {
                last = e;
            }
        }
        Thread.interrupted();
        throw new IllegalStateException(stage + ": the transaction neither committed nor could be aborted in time"
                + " (kafka-clients allows only a retried commit after a commit timed out); the restarted stage resolves it",
                last);
    }

    /**
     * Aborts the open transaction — none of its forwards or offsets is ever visible — and reads
     * every partition again from its last commit (its calls run again: calls are at-least-once).
     */
    private void abortAndRewind(String why, long deadline) {
        rewound = true;
        try {
            abort(deadline);
        } catch (TimeoutException | InterruptException e) {
            if (!halted.getAsBoolean()) {
                throw e;
            }
            // Stopping: the restarted stage's producer (same transactional id) aborts what is left open.
            log.warn("{}: the transaction could not be aborted before the stop ({}); it stays open until the restarted stage"
                    + " or transaction.timeout.ms aborts it, and nothing of it is visible", stage, e.toString());
            forwards.aborted();
            return;
        }
        forwards.aborted();
        abortBackoffMs = Math.min(MAX_ABORT_BACKOFF_MS, Math.max(MIN_ABORT_BACKOFF_MS, abortBackoffMs * 2));
        long until = time.millis() + abortBackoffMs;
        List<TopicPartition> partitions = new ArrayList<>(progress.partitions());
        for (TopicPartition partition : partitions) {
            long from = progress.get(partition).rewindPoint();
            progress.restart(partition); // outcomes still to come for the old progress are dropped
            if (from >= 0) {
                pauses.rewind(partition, from, until);
            }
        }
        rereading.accept(partitions);
        nextCommitAt = time.millis() + intervalMillis;
        log.warn("{}: transaction aborted ({}); reading again from the last commit in {} ms", stage, why, abortBackoffMs);
    }

    /** Aborts, trying again after a timeout until {@code deadline}; then throws the timeout. */
    private void abort(long deadline) {
        for (int attempt = 1; ; attempt++) {
            try {
                forwarder.abortTransaction();
                return;
            } catch (TimeoutException | InterruptException e) {
                Thread.interrupted();
                if (time.millis() >= deadline || halted.getAsBoolean()) {
                    throw e;
                }
                log.warn("{}: aborting the transaction timed out (attempt {}: {}); trying again", stage, attempt, e.toString());
            }
        }
    }
}
