package io.superflux.internal.stage.ops;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

import io.superflux.retry.Stage;

/**
 * What one stage is doing, for the health endpoint and the stage gauges: written by the stage's
 * reactor thread (and its lanes, for calls), read by any thread. Times are epoch milliseconds.
 * The writing methods are public for the endpoint's tests only.
 */
public final class StageStatus {
    /** Where the stage is in its life. */
    public enum State {
        /** Started, not yet in its group (no assignment yet). */
        STARTING,
        /** In its group: has had an assignment (possibly empty). */
        JOINED,
        /** Stopping: finishing the records in hand. */
        STOPPING,
        /** Stopped cleanly. */
        STOPPED,
        /** Stopped by an error. */
        FAILED
    }

    /** A call under way: which record, since when. */
    public record Call(int partition, long offset, long startedAt) {
    }

    /** Figures the reactor computes once a second. */
    public record Figures(Map<Integer, Long> lagByPartition, long waiting, long oldestWaitingDueAt, double dueLagSeconds,
                          int paused) {
        static final Figures NONE = new Figures(Map.of(), 0, 0, 0, 0);
    }

    private final String task;
    private final Stage stage;
    /** One slot per thread that ever ran a call of this stage (the reactor's, or the lanes'): written per call without allocating. */
    private final List<CallSlot> slots = new CopyOnWriteArrayList<>();
    private final LongAdder rebalances = new LongAdder();
    private volatile State state = State.STARTING;
    private volatile long lastPollAt;
    private volatile int assigned;
    private volatile Figures figures = Figures.NONE;
    private volatile String failure;
    private volatile long limitMillis = 300_000;
    /** Ordered retries (stage 0): held keys and parked records, -1 without ordered retries; whether the limit is reached. */
    private volatile int heldKeys = -1;
    private volatile int parked = -1;
    private volatile boolean heldFull;

    public StageStatus(String task, Stage stage, long startedAt) {
        this.task = task;
        this.stage = stage;
        this.lastPollAt = startedAt;
    }

    /** The task's simple class name. */
    public String task() {
        return task;
    }

    /** The stage. */
    public Stage stage() {
        return stage;
    }

    /** Where the stage is in its life. */
    public State state() {
        return state;
    }

    /** When the poll loop last came round. */
    public long lastPollAt() {
        return lastPollAt;
    }

    /** Partitions assigned now. */
    /** Ordered retries (stage 0 thread): how many keys are held and records parked, and whether that is the limit. */
    public void keyOrder(int heldKeys, int parked, boolean full) {
        this.heldKeys = heldKeys;
        this.parked = parked;
        this.heldFull = full;
    }

    /** Keys held by ordered retries, or -1 when the stage has none. */
    public int heldKeys() {
        return heldKeys;
    }

    /** Records parked by ordered retries, or -1 when the stage has none. */
    public int parked() {
        return parked;
    }

    /** Whether ordered retries hold as many keys and parked records as allowed (new records wait). */
    public boolean heldFull() {
        return heldFull;
    }

    public int assigned() {
        return assigned;
    }

    /** Assignments received so far (the first one included). */
    public long rebalances() {
        return rebalances.sum();
    }

    /** The latest figures. */
    public Figures figures() {
        return figures;
    }

    /** How long a call may run, or the poll loop not come round, before the stage counts as stuck. */
    public long limitMillis() {
        return limitMillis;
    }

    public void limitMillis(long millis) {
        limitMillis = millis;
    }

    /** Why the stage failed, if it did. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /** The call that has run longest, if any is under way. */
    public Optional<Call> oldestCall() {
        Call oldest = null;
        for (CallSlot running : slots) {
            Call call = running.read();
            if (call != null && (oldest == null || call.startedAt() < oldest.startedAt())) {
                oldest = call;
            }
        }
        return Optional.ofNullable(oldest);
    }

    public void polled(long now) {
        lastPollAt = now;
    }

    public void assigned(int partitions) {
        assigned = partitions;
        rebalances.increment();
        if (state == State.STARTING) {
            state = State.JOINED;
        }
    }

    public void revoked(int remaining) {
        assigned = remaining;
    }

    public void figures(Figures latest) {
        figures = latest;
    }

    public void stopping() {
        if (state == State.STARTING || state == State.JOINED) {
            state = State.STOPPING;
        }
    }

    public void ended(Throwable error) {
        if (error != null) {
            failure = error.getMessage() != null ? error.getMessage() : error.toString();
            state = State.FAILED;
        } else {
            state = State.STOPPED;
        }
        slots.forEach(CallSlot::end);
    }

    /** A slot for one thread that runs this stage's calls; that thread alone writes it. */
    public CallSlot newCallSlot() {
        CallSlot created = new CallSlot();
        slots.add(created);
        return created;
    }

    /**
     * The call one thread is running. Its thread writes partition and offset, then the start time
     * (volatile, 0 = none); a reader that sees a start time sees the record of that call or a later
     * one, which is close enough for a health report.
     */
    public static final class CallSlot {
        private CallSlot() {
        }

        private int partition;
        private long offset;
        private volatile long startedAt;

        /** A call of the record at {@code partition}/{@code offset} starts at {@code now}. */
        public void start(int partition, long offset, long now) {
            this.partition = partition;
            this.offset = offset;
            this.startedAt = now;
        }

        /** The call ended. */
        public void end() {
            startedAt = 0;
        }

        Call read() {
            long started = startedAt;
            return started == 0 ? null : new Call(partition, offset, started);
        }
    }
}
