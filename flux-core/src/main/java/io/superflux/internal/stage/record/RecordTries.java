package io.superflux.internal.stage.record;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

/**
 * The tries of the record a one-at-a-time stage holds for another try, per partition: its
 * in-place attempts so far (for the failure headers) and how often the dead-letter hook or the
 * deserializer failed (for the growing wait). A partition holds at most one such record, its
 * first unfinished one; a different offset starts afresh. Reactor thread only.
 */
public final class RecordTries {
    private final Map<TopicPartition, Tries> byPartition = new HashMap<>();

    /** The tries of the record at {@code offset} in {@code partition}, none yet if it is another record. */
    Tries of(TopicPartition partition, long offset) {
        Tries tries = byPartition.get(partition);
        if (tries == null || tries.offset != offset) {
            tries = new Tries(offset);
            byPartition.put(partition, tries);
        }
        return tries;
    }

    /** The record's in-place attempts so far (empty if none), forgetting them: it is done in this stage. */
    List<RecordOutcome.FailedAttempt> done(TopicPartition partition, long offset) {
        if (byPartition.isEmpty()) {
            return List.of(); // the common case, once per handled record: no lookup
        }
        Tries tries = byPartition.remove(partition);
        return tries == null || tries.offset != offset ? List.of() : tries.inPlace;
    }

    /** Records with tries kept. */
    int size() {
        return byPartition.size();
    }

    /** Forgets revoked partitions: their next owner starts afresh. */
    void forget(TopicPartition partition) {
        byPartition.remove(partition);
    }

    /** One record's tries. */
    static final class Tries {
        private final long offset;
        private final List<RecordOutcome.FailedAttempt> inPlace = new ArrayList<>();
        private int later;

        private Tries(long offset) {
            this.offset = offset;
        }

        /** Failed in-place attempts so far. */
        int inPlaceAttempts() {
            return inPlace.size();
        }

        /** Remembers a failed call retried in place. */
        void failedInPlace(long failedAt, Throwable error) {
            inPlace.add(new RecordOutcome.FailedAttempt(failedAt, error));
        }

        /** Counts a try that must be repeated later (hook, deserializer); returns the count. */
        int triedLater() {
            return ++later;
        }
    }
}
