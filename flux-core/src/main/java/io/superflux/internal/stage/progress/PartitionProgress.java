package io.superflux.internal.stage.progress;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

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
 * complete, in whatever order they complete. A new progress replaces the old one when the
 * partition is assigned again or read again after an aborted transaction, so outcomes still to
 * come for the old one are recognised and dropped. Owned by one stage thread; lanes read only the
 * revocation flag and record what they start.
 */
public final class PartitionProgress {
    /** A record whose completion comes later: running on a lane, or being forwarded. */
    public static final class Pending {
        private final long offset;
        private boolean done;
        private boolean givenUp;
        private int forwardAttempts;

        Pending(long offset) {
            this.offset = offset;
        }

        /** The record's offset. */
        public long offset() {
            return offset;
        }

        /** Counts a failed send of its forward; returns the count. */
        public int forwardFailed() {
            return ++forwardAttempts;
        }

        /** Failed sends of its forward so far. */
        public int forwardAttempts() {
            return forwardAttempts;
        }
    }

    private static final long NOTHING = -1;

    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private int givenUp;
    private volatile boolean revoked;
    private volatile boolean gone;
    /** The highest offset a lane started: records below it close gaps the commit needs. */
    private final AtomicLong highestStarted = new AtomicLong(NOTHING);
    private long next = NOTHING;
    /** The first offset read since this progress began: where an aborted transaction reads again. */
    private long first = NOTHING;
    private long sent = NOTHING;
    private long confirmed = NOTHING;
    /** Due time (epoch ms) of the record started last: the stage's due lag is measured from it. */
    private long lastStartedDue;

    /** The record at {@code offset} was read (dispatched or not): the earliest such is where a rewind reads again. */
    public void seen(long offset) {
        if (first == NOTHING || offset < first) {
            first = offset;
        }
    }

    /** The record at {@code offset} was handled. */
    public void handled(long offset) {
        seen(offset);
        next = offset + 1;
    }

    /** The record at {@code offset} completes later; complete it with {@link #complete}. */
    public Pending started(long offset) {
        seen(offset);
        Pending record = new Pending(offset);
        pending.addLast(record);
        next = offset + 1;
        return record;
    }

    /** The record is complete: handled, or its forward acknowledged. */
    public void complete(Pending record) {
        if (record.givenUp) {
            return; // the stage stops without it; it is read again
        }
        record.done = true;
        while (!pending.isEmpty() && pending.peekFirst().done) {
            pending.pollFirst();
        }
    }

    /**
     * The record will not complete here: its forward was refused, or a stop or revocation left it.
     * It stays where it is, so nothing past it is committed, but nothing waits for it any more.
     */
    public void giveUp(Pending record) {
        if (!record.givenUp && !record.done) {
            record.givenUp = true;
            givenUp++;
        }
    }

    /** The partition is being revoked: records not yet started are left for its next owner. */
    public void revoke() {
        revoked = true;
    }

    /** Whether {@link #revoke} was called (any thread). */
    public boolean revoked() {
        return revoked;
    }

    /**
     * The stage no longer owns this progress (its partition was revoked or lost and forgotten, or
     * it is read again after an abort): a record of it not started must not start — no commit can
     * cover it any more, and whoever reads the partition now has it too.
     */
    void gone() {
        gone = true;
        revoked = true;
    }

    /** Whether {@link #gone} was called (any thread). */
    public boolean isGone() {
        return gone;
    }

    /** A lane starts the record at {@code offset} (any thread). */
    public void starting(long offset) {
        highestStarted.accumulateAndGet(offset, Math::max);
    }

    /**
     * Whether a record at {@code offset} still needs to run although the partition is revoked or
     * the stage stops: a later record already started, so without this one the commit could not
     * cover that one, which would then be handled twice.
     */
    public boolean closesAGap(long offset) {
        return offset < highestStarted.get();
    }

    /** Records started and neither complete nor given up. */
    public int inFlight() {
        return pending.size() - givenUp;
    }

    /** Records started and not complete, given up or not: what holds back the commit. */
    public int uncommittable() {
        return pending.size();
    }

    /** The offset to commit (the next record to read after a restart), or -1 if nothing was done. */
    public long committable() {
        return pending.isEmpty() ? next : pending.peekFirst().offset;
    }

    /** Whether an asynchronous commit is due: {@link #committable()} moved past what was sent or confirmed. */
    public boolean needsCommit() {
        long offset = committable();
        return offset != NOTHING && offset != sent && offset != confirmed;
    }

    /** Whether a synchronous commit is due: {@link #committable()} is not confirmed by the broker. */
    public boolean needsConfirmedCommit() {
        long offset = committable();
        return offset != NOTHING && offset != confirmed;
    }

    /** A record due at {@code dueAt} is being started (stage thread). */
    public void startingDue(long dueAt) {
        lastStartedDue = dueAt;
    }

    /** Due time of the record started last, 0 before the first. */
    public long lastStartedDue() {
        return lastStartedDue;
    }

    /**
     * Where to read again after an aborted transaction: the offset committed last, else the first
     * offset read; -1 if nothing was read (the position is still right).
     */
    public long rewindPoint() {
        return confirmed != NOTHING ? confirmed : first;
    }

    /** Whether anything was read since the last confirmed commit (exactly-once: the open transaction may hold its work). */
    public boolean readSinceCommit() {
        return first != NOTHING && (confirmed == NOTHING || next > confirmed);
    }

    /** The offset the broker confirmed last, or -1 before the first confirmed commit. */
    public long confirmed() {
        return confirmed;
    }

    /** A commit of {@code offset} went out. */
    public void commitSent(long offset) {
        sent = offset;
    }

    /** The broker acknowledged a commit of {@code offset}. */
    public void commitConfirmed(long offset) {
        confirmed = Math.max(confirmed, offset);
    }

    /** A commit of {@code offset} failed: it is sent again. */
    public void commitFailed(long offset) {
        if (sent == offset) {
            sent = NOTHING;
        }
    }
}
