package io.superflux.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts handled records for a consuming run: the window opens at the first record (so group
 * joins are not measured, on either side) and closes when the last expected one arrives.
 */
final class Completion {
    private final long expected;
    private final LongAdder count = new LongAdder();
    private final AtomicLong firstNanos = new AtomicLong();
    private final CountDownLatch done = new CountDownLatch(1);
    private final Measurement measurement = new Measurement();
    private volatile long lastNanos;

    Completion(long expected) {
        this.expected = expected;
    }

    /** Called for every handled record, from any thread. */
    void record() {
        if (firstNanos.get() == 0 && firstNanos.compareAndSet(0, System.nanoTime())) {
            measurement.start();
        }
        count.increment();
        if (count.sum() >= expected && done.getCount() > 0) {
            lastNanos = System.nanoTime();
            done.countDown();
        }
    }

    /** Adds {@code n} handled records at once (e.g. acknowledged sends read from a counter). */
    void record(long n) {
        for (long i = 0; i < n; i++) {
            record();
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
        measurement.put("value", expected / seconds);
        return measurement;
    }
}
