package io.superflux;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.superflux.retry.Stage;

/**
 * The running stages of one task, each on its own thread with its own consumer; returned by
 * {@link SuperFlux#start}. Thread-safe.
 */
public interface Worker extends AutoCloseable {
    /** The stages this worker runs. */
    List<Stage> stages();

    /** True until every stage stopped. */
    boolean isRunning();

    /**
     * Stops gracefully: no more fetching, the record in hand finishes (within
     * {@code flux.shutdown-timeout}), forwards are flushed, offsets committed, consumers closed.
     * Returns when every stage stopped. Idempotent.
     */
    void stop();

    /** Waits until every stage stopped (after {@link #stop()}, or because one failed). */
    void awaitTermination() throws InterruptedException;

    /** Waits at most {@code timeout}; true if every stage stopped. */
    boolean awaitTermination(Duration timeout) throws InterruptedException;

    /** The error that stopped a stage, if one did; the other stages are then stopped too. */
    Optional<Throwable> failure();

    /** {@link #stop()}. */
    @Override
    default void close() {
        stop();
    }
}
