package io.superflux.internal.task;

import java.util.ArrayDeque;

/**
 * Commit bookkeeping of one assigned partition. Records are dispatched in offset order; a record
 * is complete when handled, or when its forward was acknowledged. The committable offset is the
 * first offset not yet complete: nothing past an unfinished record is ever committed.
 *
 * <p>Records handled on the spot need no entry; records completed later (running on a lane, or
 * being forwarded) are queued in dispatch (= offset) order and leave the queue's head once
 * complete, in whatever order they complete. Owned by one reactor thread.
 */
final class PartitionProgress {
    /** A record whose completion comes later: running on a lane, or being forwarded. */
    static final class Pending {
        final long offset;
        boolean done;
        int attempts;

        Pending(long offset) {
            this.offset = offset;
        }
    }

    private static final long NOTHING = -1;

    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private long next = NOTHING;
    private long lastCommitted = NOTHING;

    /** The record at {@code offset} was handled. */
    void handled(long offset) {
        next = offset + 1;
    }

    /** The record at {@code offset} completes later; complete it with {@link #complete}. */
    Pending started(long offset) {
        Pending forward = new Pending(offset);
        pending.addLast(forward);
        next = offset + 1;
        return forward;
    }

    /** The record is complete: handled, or its forward acknowledged. */
    void complete(Pending forward) {
        forward.done = true;
        while (!pending.isEmpty() && pending.peekFirst().done) {
            pending.pollFirst();
        }
    }

    /** Records started and not complete. */
    int inFlight() {
        return pending.size();
    }

    /** The offset to commit (the next record to read after a restart), or -1 if nothing was done. */
    long committable() {
        return pending.isEmpty() ? next : pending.peekFirst().offset;
    }

    /** Whether {@link #committable()} moved since the last commit. */
    boolean needsCommit() {
        long offset = committable();
        return offset != NOTHING && offset != lastCommitted;
    }

    /** A commit of {@code offset} was sent. */
    void committed(long offset) {
        lastCommitted = offset;
    }

    /** An asynchronous commit failed: commit again next time. */
    void commitFailed() {
        lastCommitted = NOTHING;
    }
}
