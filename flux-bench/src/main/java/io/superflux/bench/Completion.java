package io.superflux.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts handled records for a consuming run. The measured window opens once the first tenth of
 * the records is handled (group joins, JIT compilation and the first collections are warm-up, on
 * either side) and closes when the last expected one arrives; throughput covers the other 90 %.
 */
final class Completion {
    private final long expected;
    private final long warmUp;
    private final LongAdder count = new LongAdder();
    private final AtomicLong firstNanos = new AtomicLong();
    private final CountDownLatch done = new CountDownLatch(1);
    private final Measurement measurement = new Measurement();
    private volatile long lastNanos;

    Completion(long expected) {
        this.expected = expected;
        this.warmUp = expected / 10;
    }

    /** Called for every handled record, from any thread. */
    void record() {
        record(1);
    }

    /** Adds {@code n} handled records at once (e.g. acknowledged forwards read from a counter). */
    void record(long n) {
        count.add(n);
        long handled = count.sum();
        if (handled >= warmUp && firstNanos.get() == 0 && firstNanos.compareAndSet(0, System.nanoTime())) {
            measurement.start();
        }
        if (handled >= expected && done.getCount() > 0) {
            lastNanos = System.nanoTime();
            done.countDown();
        }
    }

    long count() {
        return count.sum();
    }

    /** Waits for every expected record; the result's {@code value} is records per second. */
    Measurement await(long timeoutSeconds) throws InterruptedException {
        if (!done.await(timeoutSeconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException("only " + count.sum() + " of " + expected + " records in " + timeoutSeconds + " s");
        }
        measurement.stop();
        double seconds = (lastNanos - firstNanos.get()) / 1e9;
        measurement.put("value", (expected - warmUp) / seconds);
        return measurement;
    }
}
