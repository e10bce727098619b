package io.superflux.internal.task;

import java.util.Arrays;

import io.superflux.task.OutageProtection;

/**
 * A stage's view of its dependencies, per {@link OutageProtection}: closed while calls mostly
 * succeed; open — the stage takes no records — once the failure rate over the window trips it;
 * then one probe at a time at growing intervals, closed again by the first probe that succeeds.
 * Calls are counted in ten buckets across the window. Reactor thread only, except the gauge.
 */
final class OutageBreaker {
    private static final int BUCKETS = 10;

    private final OutageProtection policy;
    private final long bucketMillis;
    private final long[] bucketStart = new long[BUCKETS];
    private final int[] calls = new int[BUCKETS];
    private final int[] failures = new int[BUCKETS];
    private volatile boolean open;
    private long openedAt;
    private long nextProbeAt;
    private long probeInterval;
    private boolean probeUnderWay;
    private int probesFailed;
    private double lastRate;
    private int lastCalls;

    OutageBreaker(OutageProtection policy) {
        this.policy = policy;
        this.bucketMillis = Math.max(1, policy.window().toMillis() / BUCKETS);
    }

    /** Whether the stage is paused for an outage (any thread: the gauge). */
    boolean isOpen() {
        return open;
    }

    /** Open, and the next probe may start: it has not started yet and its time has come. */
    boolean probeDue(long now) {
        return open && !probeUnderWay && now >= nextProbeAt;
    }

    /** Open, and no probe may start now: the stage must take no records. */
    boolean holding(long now) {
        return open && !probeDue(now);
    }

    /** When the next probe may start (meaningful while open). */
    long nextProbeAt() {
        return nextProbeAt;
    }

    /** The record about to be called is the probe. */
    void probeStarted() {
        probeUnderWay = true;
    }

    /** Whether a probe is under way. */
    boolean probeUnderWay() {
        return probeUnderWay;
    }

    /**
     * A call succeeded; {@code probe}: it was the probe. Returns true if that ends the outage. A
     * success while open that is not the probe (a call started before the outage) changes nothing.
     */
    boolean succeeded(long now, boolean probe) {
        if (open) {
            if (probe && probeUnderWay) {
                open = false;
                probeUnderWay = false;
                probesFailed = 0;
                clear();
                return true;
            }
            return false;
        }
        count(now, false);
        return false;
    }

    /** The probe ended with neither a success nor a call failure (a bad value…): another record probes at once. */
    void probeInconclusive(long now) {
        probeUnderWay = false;
        nextProbeAt = now;
    }

    /**
     * A call failed; {@code probe}: it was the probe. Returns true if the stage is (now, or still)
     * open: the record must not be forwarded.
     */
    boolean failed(long now, boolean probe) {
        if (open) {
            if (probe && probeUnderWay) {
                probeUnderWay = false;
                probesFailed++;
                probeInterval = Math.min(policy.maxProbeInterval().toMillis(), probeInterval * 2);
                nextProbeAt = now + probeInterval;
            }
            return true;
        }
        count(now, true);
        int total = 0;
        int failed = 0;
        for (int i = 0; i < BUCKETS; i++) {
            if (now - bucketStart[i] < policy.window().toMillis()) {
                total += calls[i];
                failed += failures[i];
            }
        }
        if (total >= policy.minimumCalls() && failed >= policy.failureRate() * total) {
            open = true;
            openedAt = now;
            probeInterval = policy.firstProbe().toMillis();
            nextProbeAt = now + probeInterval;
            lastRate = (double) failed / total;
            lastCalls = total;
            return true;
        }
        return false;
    }

    /** The failure rate that tripped the breaker last. */
    double trippingRate() {
        return lastRate;
    }

    /** The calls in the window when it tripped last. */
    int trippingCalls() {
        return lastCalls;
    }

    /** When the current outage began. */
    long openedAt() {
        return openedAt;
    }

    /** Probes that failed in the current outage. */
    int probesFailed() {
        return probesFailed;
    }

    private void count(long now, boolean failure) {
        int index = (int) ((now / bucketMillis) % BUCKETS);
        long start = now - now % bucketMillis;
        if (bucketStart[index] != start) {
            bucketStart[index] = start;
            calls[index] = 0;
            failures[index] = 0;
        }
        calls[index]++;
        if (failure) {
            failures[index]++;
        }
    }

    private void clear() {
        Arrays.fill(calls, 0);
        Arrays.fill(failures, 0);
    }
}
