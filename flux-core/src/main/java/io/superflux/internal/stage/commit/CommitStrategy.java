package io.superflux.internal.stage.commit;

import java.util.Collection;

import org.apache.kafka.common.TopicPartition;

/**
 * How a stage commits what it completed: {@link AtLeastOnceCommits} (consumer offset commits) or
 * {@link TransactionalCommits} (forwards and offsets in one transaction). Whatever the strategy,
 * an offset is committed only once every record below it is complete. The stage thread calls it:
 * between two records of a batch, once per loop, on revocation and at stop.
 */
public interface CommitStrategy {
    /**
     * Before each record of a batch is taken: whether the batch may go on. Exactly-once may commit
     * here (a long batch must not keep its transaction open), or abort and read every partition
     * again from its last commit — then the rest of the batch is stale, and false is returned.
     */
    boolean betweenRecords();

    /** Once per loop: commits when the commit interval is up (exactly-once: aborts first if a forward failed). */
    void onLoop();

    /** Commits what is complete, synchronously, waiting at most {@code timeoutMillis} (revocation, stop). */
    void commitNow(Collection<TopicPartition> partitions, long timeoutMillis);

    /** {@code partitions} were lost: nothing of theirs can be committed any more. */
    void lost(Collection<TopicPartition> partitions);

    /** Milliseconds until the next commit is due, at most {@code max}. */
    long millisUntilNextCommit(long max);
}
