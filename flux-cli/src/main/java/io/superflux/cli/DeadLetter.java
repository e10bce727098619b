package io.superflux.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Instant;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.superflux.internal.headers.RetryHeaders;
import io.superflux.task.Failure;
import io.superflux.task.Origin;

/**
 * One dead letter as {@code flux dlq} shows, counts and filters it: where it sits, its key, when it
 * was dead-lettered, where it first entered, its failure history and how often it was replayed.
 *
 * @param record        the record in the dead-letter topic
 * @param key           the key as UTF-8 text, or null
 * @param deadLetteredAt the dead-letter record's timestamp (when it was forwarded there)
 * @param origin        where it first entered (the input topic's coordinates)
 * @param failures      its failure history, oldest first
 * @param exceptionClass the class of its last failure ({@code flux-exception-class}), or "" if none
 * @param message       the message of its last failure, or ""
 * @param replays       how many times it was replayed before ({@code flux-replays})
 */
record DeadLetter(ConsumerRecord<byte[], byte[]> record, String key, Instant deadLetteredAt, Origin origin,
                  List<Failure> failures, String exceptionClass, String message, int replays) {
    static DeadLetter of(ConsumerRecord<byte[], byte[]> record) {
        return new DeadLetter(record, record.key() == null ? null : new String(record.key(), UTF_8),
                Instant.ofEpochMilli(record.timestamp()), RetryHeaders.origin(record), RetryHeaders.failures(record.headers()),
                RetryHeaders.text(record.headers(), RetryHeaders.EXCEPTION_CLASS).orElse(""),
                RetryHeaders.text(record.headers(), RetryHeaders.EXCEPTION_MESSAGE).orElse(""),
                RetryHeaders.replays(record.headers()));
    }

    int partition() {
        return record.partition();
    }

    long offset() {
        return record.offset();
    }

    /** {@code topic-partition@offset}. */
    String where() {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }
}
