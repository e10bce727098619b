package io.superflux.bench.measure;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies recorded from any thread into a preallocated array (nothing allocated per record;
 * records beyond its capacity are dropped), then summarised as percentiles.
 */
public final class Latencies {
    private final AtomicLongArray nanos;
    private final AtomicInteger next = new AtomicInteger();

    /** Room for {@code capacity} latencies. */
    public Latencies(int capacity) {
        this.nanos = new AtomicLongArray(capacity);
    }

    /** Records one latency. */
    public void record(long latencyNanos) {
        int slot = next.getAndIncrement();
        if (slot < nanos.length()) {
            nanos.set(slot, latencyNanos);
        }
    }

    /** How many were recorded (and kept). */
    public int count() {
        return Math.min(next.get(), nanos.length());
    }

    /** Puts {@code p50_ms}, {@code p99_ms}, {@code p999_ms}, {@code max_ms} of the latencies recorded in [from, to). */
    public void summarise(int from, int to, Measurement into) {
        long[] sorted = new long[Math.max(0, Math.min(to, count()) - from)];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = nanos.get(from + i);
        }
        if (sorted.length == 0) {
            throw new IllegalStateException("no latency was recorded in the window");
        }
        Arrays.sort(sorted);
        into.put("p50_ms", percentile(sorted, 0.50));
        into.put("p99_ms", percentile(sorted, 0.99));
        into.put("p999_ms", percentile(sorted, 0.999));
        into.put("max_ms", sorted[sorted.length - 1] / 1e6);
        into.put("latencies", sorted.length);
    }

    private static double percentile(long[] sorted, double quantile) {
        int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
}
