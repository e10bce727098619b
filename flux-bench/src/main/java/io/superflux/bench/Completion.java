package io.superflux.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.superflux.bench.measure.Measurement;
import io.superflux.bench.measure.SteadyWindow;

/**
 * Counts handled records for a consuming run, from any thread, and measures it: either its
 * steady-state window ({@link #measureSteady()}, the throughput scenarios) or the time until all
 * {@code expected} records are handled ({@link #awaitAll}).
 */
final class Completion {
    private final long expected;
    private final LongAdder count = new LongAdder();

    Completion(long expected) {
        this.expected = expected;
    }

    /** Called for every handled record, from any thread: one increment, nothing else on the measured path. */
    void record() {
        count.increment();
    }

    long count() {
        return count.sum();
    }

    /** The steady-state window; the topic holds {@code expected} records and must not run dry before it closes. */
    Measurement measureSteady() throws InterruptedException {
        return new SteadyWindow(count::sum, expected).measure();
    }

    /** Waits for every expected record (looks every 10 ms). */
    void awaitAll(long timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (count.sum() < expected) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + count.sum() + " of " + expected + " records in " + timeoutSeconds + " s");
            }
            Thread.sleep(10);
        }
    }
}
