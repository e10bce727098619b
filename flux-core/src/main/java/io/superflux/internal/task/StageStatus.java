package io.superflux.internal.task;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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
    private final Map<Thread, Call> calls = new ConcurrentHashMap<>();
    private final LongAdder rebalances = new LongAdder();
    private volatile State state = State.STARTING;
    private volatile long lastPollAt;
    private volatile int assigned;
    private volatile Figures figures = Figures.NONE;
    private volatile String failure;
    private volatile long limitMillis = 300_000;

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
        for (Call call : calls.values()) {
            if (oldest == null || call.startedAt() < oldest.startedAt()) {
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

    void revoked(int remaining) {
        assigned = remaining;
    }

    void figures(Figures latest) {
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
        calls.clear();
    }

    public void callStarted(int partition, long offset, long now) {
        calls.put(Thread.currentThread(), new Call(partition, offset, now));
    }

    public void callEnded() {
        calls.remove(Thread.currentThread());
    }
}
