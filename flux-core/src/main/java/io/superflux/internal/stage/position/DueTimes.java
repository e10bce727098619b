package io.superflux.internal.stage.position;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.superflux.internal.headers.RetryHeaders;
import io.superflux.retry.Backoff;
import io.superflux.retry.Stage;

/**
 * When a record on a retry or dead-letter topic is due. Normally its {@code flux-due-at} header
 * says so. A record without a readable one — produced into a retry topic by another tool, or
 * with a mangled header — is never taken as due now: it is due at its timestamp plus the longest
 * wait of the stage (the dead-letter stage has no wait).
 */
public final class DueTimes {
    private static final Logger log = LoggerFactory.getLogger(DueTimes.class);

    private final Stage stage;
    private final long fallbackWaitMillis;
    private boolean warned;

    public DueTimes(Stage stage, Backoff backoff, double timeScale) {
        this.stage = stage;
        this.fallbackWaitMillis = stage.kind() == Stage.Kind.RETRY
                ? Math.round(backoff.longestDelayBefore(stage.number()).toMillis() * timeScale) : 0;
    }

    /** The epoch ms before which {@code record} must not be handled. */
    public long of(ConsumerRecord<byte[], byte[]> record) {
        long due = RetryHeaders.dueAt(record.headers());
        if (due != RetryHeaders.NO_DUE_TIME) {
            return due;
        }
        if (!warned && RetryHeaders.hasDueAt(record.headers())) {
            warned = true;
            log.warn("{}: {}-{}@{} has a {} header that is not a time in epoch ms; such records are handled {} ms after"
                    + " their timestamp, the stage's longest wait (logged once)", stage, record.topic(), record.partition(),
                    record.offset(), RetryHeaders.DUE_AT, fallbackWaitMillis);
        }
        long timestamp = Math.max(0, record.timestamp());
        return timestamp > Long.MAX_VALUE - fallbackWaitMillis ? Long.MAX_VALUE : timestamp + fallbackWaitMillis;
    }
}
