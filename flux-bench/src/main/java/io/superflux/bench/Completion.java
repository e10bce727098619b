package io.superflux.bench;

import java.util.concurrent.CountDownLatch;
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
    private final CountDownLatch done = new CountDownLatch(1);

    Completion(long expected) {
        this.expected = expected;
    }

    /** Called for every handled record, from any thread. */
    void record() {
        count.increment();
        if (count.sum() >= expected && done.getCount() > 0) {
            done.countDown();
        }
    }

    long count() {
        return count.sum();
    }

    /** The steady-state window; the topic holds {@code expected} records and must not run dry before it closes. */
    Measurement measureSteady() throws InterruptedException {
        return new SteadyWindow(count::sum, expected).measure();
    }

    /** Waits for every expected record. */
    void awaitAll(long timeoutSeconds) throws InterruptedException {
        if (!done.await(timeoutSeconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException("only " + count.sum() + " of " + expected + " records in " + timeoutSeconds + " s");
        }
    }
}
