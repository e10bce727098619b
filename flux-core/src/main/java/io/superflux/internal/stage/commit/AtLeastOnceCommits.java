package io.superflux.internal.stage.commit;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.superflux.internal.stage.progress.PartitionProgress;
import io.superflux.internal.stage.progress.StageProgress;
import io.superflux.retry.Stage;

/**
 * At-least-once commits of a stage's completed offsets: asynchronously on an interval,
 * synchronously when partitions are revoked and at stop. An offset counts as committed only once
 * the broker confirmed it, so a revocation right after an asynchronous commit commits again
 * instead of trusting a commit that may still fail. A synchronous commit never throws: a wakeup
 * meant for poll, or the interrupt of a stop that outlasted its timeout, does not prevent it, and
 * a failed commit only means those records are read again. Stage thread only (kafka-clients runs
 * commit callbacks there too).
 */
public final class AtLeastOnceCommits implements CommitStrategy {
    private static final Logger log = LoggerFactory.getLogger(AtLeastOnceCommits.class);
    private static final int ATTEMPTS = 3;

    private final Consumer<byte[], byte[]> consumer;
    private final Stage stage;
    private final StageProgress progress;
    private final Clock clock;
    private final long intervalMillis;
    private long nextCommitAt;

    public AtLeastOnceCommits(Consumer<byte[], byte[]> consumer, Stage stage, StageProgress progress, Clock clock,
                              Duration interval) {
        this.consumer = consumer;
        this.stage = stage;
        this.progress = progress;
        this.clock = clock;
        this.intervalMillis = interval.toMillis();
        this.nextCommitAt = clock.millis() + intervalMillis;
    }

    @Override
    public boolean betweenRecords() {
        return true;
    }

    @Override
    public void onLoop() {
        long now = clock.millis();
        if (now >= nextCommitAt) {
            commitAsync();
            nextCommitAt = now + intervalMillis;
        }
    }

    @Override
    public long millisUntilNextCommit(long max) {
        return Math.max(0, Math.min(max, nextCommitAt - clock.millis()));
    }

    /** Commits, asynchronously, every partition whose committable offset moved. */
    private void commitAsync() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Map<TopicPartition, PartitionProgress> sentFor = new HashMap<>();
        progress.all().forEach((partition, partitionProgress) -> {
            if (partitionProgress.needsCommit()) {
                long offset = partitionProgress.committable();
                offsets.put(partition, new OffsetAndMetadata(offset));
                sentFor.put(partition, partitionProgress);
                partitionProgress.commitSent(offset);
            }
        });
        if (offsets.isEmpty()) {
            return;
        }
        consumer.commitAsync(offsets, (committed, error) -> {
            // The progress objects of the commit, not the current ones: a partition may have been revoked meanwhile.
            sentFor.forEach((partition, partitionProgress) -> {
                long offset = offsets.get(partition).offset();
                if (error == null) {
                    partitionProgress.commitConfirmed(offset);
                } else {
                    partitionProgress.commitFailed(offset);
                }
            });
            if (error != null) {
                log.warn("{}: asynchronous commit failed, will commit again: {}", stage, error.toString());
            }
        });
    }

    @Override
    public void commitNow(Collection<TopicPartition> partitions, long timeoutMillis) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : partitions) {
            PartitionProgress partitionProgress = progress.get(partition);
            if (partitionProgress != null && partitionProgress.needsConfirmedCommit()) {
                offsets.put(partition, new OffsetAndMetadata(partitionProgress.committable()));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        Duration wait = Duration.ofMillis(Math.max(1_000, timeoutMillis));
        for (int attempt = 1; ; attempt++) {
            try {
                consumer.commitSync(offsets, wait);
                offsets.forEach((partition, offset) -> progress.get(partition).commitConfirmed(offset.offset()));
                return;
            } catch (WakeupException | InterruptException e) {
                // A wakeup meant for poll, or a stop's interrupt: neither is a reason not to commit.
                Thread.interrupted(); // InterruptException sets the flag again
                if (attempt == ATTEMPTS) {
                    log.warn("{}: commit of {} did not go through ({}); those records will be read again", stage, offsets, e.toString());
                    return;
                }
            } catch (RuntimeException e) {
                log.warn("{}: commit of {} failed: {}; those records will be read again", stage, offsets, e.toString());
                return;
            }
        }
    }

    @Override
    public void lost(Collection<TopicPartition> partitions) {
        // nothing was committed for them since the last confirmed commit; their next owner reads from there
    }
}
