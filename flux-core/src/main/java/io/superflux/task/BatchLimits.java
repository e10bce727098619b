package io.superflux.task;

import java.time.Duration;
import java.util.Objects;

/**
 * How big a {@link BatchTask}'s batches get: at most {@code maxRecords} records and
 * {@code maxBytes} bytes (keys and values as stored), gathered for at most {@code maxWait} before
 * the stage calls with fewer. A poll that brings more starts the next batch at once; with
 * {@code maxWait} 0 a batch is what one poll brought. The settings {@code flux.batch.max-records},
 * {@code flux.batch.max-bytes} and {@code flux.batch.max-wait} override these per worker.
 *
 * @param maxRecords records per batch, 1 to {@value #MAX_RECORDS}
 * @param maxBytes   bytes per batch (a single larger record still makes a batch of one), at least 1
 * @param maxWait    how long the first record of a batch waits for more, 0 to {@link #MAX_WAIT}
 */
public record BatchLimits(int maxRecords, long maxBytes, Duration maxWait) {
    /** Most records a batch may have. */
    public static final int MAX_RECORDS = 100_000;
    /** Longest {@code maxWait}: a record waits in memory, uncommitted, for at most this long. */
    public static final Duration MAX_WAIT = Duration.ofMinutes(5);
    /** Records per batch when none are declared. */
    public static final int DEFAULT_MAX_RECORDS = 500;
    /** Bytes per batch when none are declared (16 MiB). */
    public static final long DEFAULT_MAX_BYTES = 16L << 20;
    /** How long a batch gathers when nothing is declared. */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMillis(100);

    /**
     * Checks the limits.
     *
     * @throws IllegalArgumentException naming the limit, its value and what is allowed
     */
    public BatchLimits {
        if (maxRecords < 1 || maxRecords > MAX_RECORDS) {
            throw new IllegalArgumentException("batch max-records must be from 1 to " + MAX_RECORDS + ", not " + maxRecords);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("batch max-bytes must be 1 or more, not " + maxBytes);
        }
        Objects.requireNonNull(maxWait, "batch max-wait");
        if (maxWait.isNegative() || maxWait.compareTo(MAX_WAIT) > 0) {
            throw new IllegalArgumentException("batch max-wait must be from 0 to " + MAX_WAIT.toMinutes() + " minutes, not "
                    + maxWait);
        }
    }

    /** 500 records, 16 MiB, 100 ms. */
    public static BatchLimits standard() {
        return new BatchLimits(DEFAULT_MAX_RECORDS, DEFAULT_MAX_BYTES, DEFAULT_MAX_WAIT);
    }

    /** The same limits with {@code maxRecords}. */
    public BatchLimits withMaxRecords(int maxRecords) {
        return new BatchLimits(maxRecords, maxBytes, maxWait);
    }

    /** The same limits with {@code maxBytes}. */
    public BatchLimits withMaxBytes(long maxBytes) {
        return new BatchLimits(maxRecords, maxBytes, maxWait);
    }

    /** The same limits with {@code maxWait}. */
    public BatchLimits withMaxWait(Duration maxWait) {
        return new BatchLimits(maxRecords, maxBytes, maxWait);
    }
}
