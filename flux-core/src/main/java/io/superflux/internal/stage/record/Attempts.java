package io.superflux.internal.stage.record;

import java.util.ArrayList;
import java.util.List;
import io.superflux.internal.headers.FailedCall;

/**
 * The tries of one record in one stage so far: its failed calls retried in place (for the
 * failure headers and the meters), and how often it was tried again later because the
 * deserializer or the dead-letter hook failed (for the growing wait). Owned by whoever holds the
 * record between its tries: the stage thread, or the record's lane job.
 */
public final class Attempts {
    private final long offset;
    private List<FailedCall> inPlace;
    private int later;

    /** The tries of the record at {@code offset}. */
    public Attempts(long offset) {
        this.offset = offset;
    }

    /** The offset of the record these are the tries of. */
    public long offset() {
        return offset;
    }

    /** Failed calls retried in place so far. */
    public int inPlace() {
        return inPlace == null ? 0 : inPlace.size();
    }

    /** The failed calls retried in place, oldest first. */
    public List<FailedCall> failedInPlace() {
        return inPlace == null ? List.of() : inPlace;
    }

    void failedInPlace(long failedAt, Throwable error) {
        if (inPlace == null) {
            inPlace = new ArrayList<>(2);
        }
        inPlace.add(new FailedCall(failedAt, error));
    }

    /** Counts a try to be repeated later (hook, deserializer); returns the count. */
    int triedLater() {
        return ++later;
    }
}
