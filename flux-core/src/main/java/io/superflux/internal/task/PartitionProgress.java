package io.superflux.internal.task;

import java.util.ArrayDeque;

/**
 * Commit bookkeeping of one assigned partition. Records are dispatched in offset order; a record
 * is complete when handled, or when its forward was acknowledged. The committable offset is the
 * first offset not yet complete: nothing past an unfinished record is ever committed.
 *
 * <p>Commits: an offset is <em>sent</em> when a commit carrying it goes out and <em>confirmed</em>
 * only when the broker acknowledged it. An asynchronous commit is not sent again while it is out;
 * a synchronous commit (revocation, stop) is made for anything not confirmed, whatever is out.
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
        boolean givenUp;
        int attempts;

        Pending(long offset) {
            this.offset = offset;
        }
    }

    private static final long NOTHING = -1;

    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private int givenUp;
    /** Read by lane threads: their queued records of a revoked partition are not started. */
    private volatile boolean revoked;
    /** The highest offset a lane started: records below it close gaps the commit needs. */
    private final java.util.concurrent.atomic.AtomicLong highestStarted = new java.util.concurrent.atomic.AtomicLong(NOTHING);
    private long next = NOTHING;
    /** The first offset dispatched since this progress began: where an aborted transaction reads again. */
    private long first = NOTHING;
    private long sent = NOTHING;
    private long confirmed = NOTHING;
    /** Due time (epoch ms) of the record started last: the stage's due lag is measured from it. */
    private long lastStartedDue;

    /** The record at {@code offset} was handled. */
    void handled(long offset) {
        if (first == NOTHING) {
            first = offset;
        }
        next = offset + 1;
    }

    /** The record at {@code offset} completes later; complete it with {@link #complete}. */
    Pending started(long offset) {
        Pending forward = new Pending(offset);
        if (first == NOTHING) {
            first = offset;
        }
        pending.addLast(forward);
        next = offset + 1;
        return forward;
    }

    /** The record is complete: handled, or its forward acknowledged. */
    void complete(Pending forward) {
        if (forward.givenUp) {
            return; // the stage stops without it; it is read again
        }
        forward.done = true;
        while (!pending.isEmpty() && pending.peekFirst().done) {
            pending.pollFirst();
        }
    }

    /**
     * The record will not complete here: its forward was refused, or a stop interrupted it. It
     * stays where it is, so nothing past it is committed, but nothing waits for it any more.
     */
    void giveUp(Pending record) {
        if (!record.givenUp && !record.done) {
            record.givenUp = true;
            givenUp++;
        }
    }

    /** The partition is being revoked: records not yet started are left for its next owner. */
    void revoke() {
        revoked = true;
    }

    /** Whether {@link #revoke} was called. */
    boolean revoked() {
        return revoked;
    }

    /** A lane starts the record at {@code offset} (any thread). */
    void starting(long offset) {
        highestStarted.accumulateAndGet(offset, Math::max);
    }

    /**
     * Whether a record at {@code offset} still needs to run although the partition is revoked or
     * the stage stops: a later record already started, so without this one the commit could not
     * cover that one, which would then be handled twice.
     */
    boolean closesAGap(long offset) {
        return offset < highestStarted.get();
    }

    /** Records started and neither complete nor given up. */
    int inFlight() {
        return pending.size() - givenUp;
    }

    /** Records started and not complete, given up or not: what holds back the commit. */
    int uncommittable() {
        return pending.size();
    }

    /** The offset to commit (the next record to read after a restart), or -1 if nothing was done. */
    long committable() {
        return pending.isEmpty() ? next : pending.peekFirst().offset;
    }

    /** Whether an asynchronous commit is due: {@link #committable()} moved past what was sent or confirmed. */
    boolean needsCommit() {
        long offset = committable();
        return offset != NOTHING && offset != sent && offset != confirmed;
    }

    /** Whether a synchronous commit is due: {@link #committable()} is not confirmed by the broker. */
    boolean needsConfirmedCommit() {
        long offset = committable();
        return offset != NOTHING && offset != confirmed;
    }

    /** A record due at {@code dueAt} is being started (reactor thread). */
    void startingDue(long dueAt) {
        lastStartedDue = dueAt;
    }

    /** Due time of the record started last, 0 before the first. */
    long lastStartedDue() {
        return lastStartedDue;
    }

    /**
     * Where to read again after an aborted transaction: the offset committed last, else the first
     * offset dispatched; -1 if nothing was dispatched (the position is still right).
     */
    long rewindPoint() {
        return confirmed != NOTHING ? confirmed : first;
    }

    /** The offset the broker confirmed last, or -1 before the first confirmed commit. */
    long confirmed() {
        return confirmed;
    }

    /** A commit of {@code offset} went out. */
    void commitSent(long offset) {
        sent = offset;
    }

    /** The broker acknowledged a commit of {@code offset}. */
    void commitConfirmed(long offset) {
        confirmed = Math.max(confirmed, offset);
    }

    /** A commit of {@code offset} failed: it is sent again. */
    void commitFailed(long offset) {
        if (sent == offset) {
            sent = NOTHING;
        }
    }
}
