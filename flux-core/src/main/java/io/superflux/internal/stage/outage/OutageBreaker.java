package io.superflux.internal.stage.outage;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import io.superflux.task.OutageProtection;

/**
 * The failure rate of a stage's records over {@link OutageProtection#window}, counted in ten
 * buckets: one count per record's final outcome in the stage (in-place attempts are one record),
 * with the keys of the failures, since an outage of a dependency fails many different records and
 * keys while a bad record fails on its own. It trips when the window holds at least
 * {@code minimumCalls} records, at least {@code failureRate} of them failed, and the failures came
 * from at least {@link #minimumKeys} different keys. Stage thread only.
 */
final class OutageBreaker {
    private static final int BUCKETS = 10;

    private final OutageProtection policy;
    private final long bucketMillis;
    private final int minimumKeys;
    private final long[] bucketStart = new long[BUCKETS];
    private final int[] calls = new int[BUCKETS];
    private final int[] failures = new int[BUCKETS];
    @SuppressWarnings("unchecked")
    private final Set<Integer>[] failingKeys = new Set[BUCKETS];
    private double lastRate;
    private int lastCalls;

    OutageBreaker(OutageProtection policy) {
        this.policy = policy;
        this.bucketMillis = Math.max(1, policy.window().toMillis() / BUCKETS);
        this.minimumKeys = minimumKeys(policy.minimumCalls());
        for (int i = 0; i < BUCKETS; i++) {
            failingKeys[i] = new HashSet<>();
        }
    }

    /** The different failing keys a trip needs: a quarter of the minimum records, at least 1 (5 for the standard 20). */
    static int minimumKeys(int minimumCalls) {
        return Math.max(1, (minimumCalls + 3) / 4);
    }

    /** A record's final outcome at {@code now}: failed or not; {@code key} identifies its key. */
    void record(long now, boolean failed, int key) {
        int index = (int) ((now / bucketMillis) % BUCKETS);
        long start = now - now % bucketMillis;
        if (bucketStart[index] != start) {
            bucketStart[index] = start;
            calls[index] = 0;
            failures[index] = 0;
            failingKeys[index].clear();
        }
        calls[index]++;
        if (failed) {
            failures[index]++;
            failingKeys[index].add(key);
        }
    }

    /** Whether the window now says a dependency is down. */
    boolean trips(long now) {
        int total = 0;
        int failed = 0;
        for (int i = 0; i < BUCKETS; i++) {
            if (now - bucketStart[i] < policy.window().toMillis()) {
                total += calls[i];
                failed += failures[i];
            }
        }
        if (total < policy.minimumCalls() || failed < policy.failureRate() * total) {
            return false;
        }
        Set<Integer> keys = new HashSet<>();
        for (int i = 0; i < BUCKETS && keys.size() < minimumKeys; i++) {
            if (now - bucketStart[i] < policy.window().toMillis()) {
                keys.addAll(failingKeys[i]);
            }
        }
        if (keys.size() < minimumKeys) {
            return false;
        }
        lastRate = (double) failed / total;
        lastCalls = total;
        return true;
    }

    /** The failure rate that tripped it last. */
    double trippingRate() {
        return lastRate;
    }

    /** The records in the window when it tripped last. */
    int trippingCalls() {
        return lastCalls;
    }

    /** Starts the window afresh (after an outage). */
    void clear() {
        Arrays.fill(calls, 0);
        Arrays.fill(failures, 0);
        for (Set<Integer> keys : failingKeys) {
            keys.clear();
        }
    }
}
