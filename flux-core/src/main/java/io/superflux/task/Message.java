package io.superflux.task;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import io.superflux.internal.headers.RetryHeaders;

/**
 * A record as a task sees it: the value, the key, the application's headers, where it is, which
 * stage handles it, and what failed before.
 *
 * @param <V> the value type
 */
public final class Message<V> {
    private final ConsumerRecord<byte[], byte[]> record;
    private final V value;
    private final int stage;
    private String key;

    /** A message for {@code record} whose value was deserialized to {@code value}, handled in {@code stage}. */
    public Message(ConsumerRecord<byte[], byte[]> record, V value, int stage) {
        this.record = record;
        this.value = value;
        this.stage = stage;
    }

    /** The value; null for a tombstone, or in the dead-letter stage when the value could not be deserialized. */
    public V value() {
        return value;
    }

    /** The value's bytes as stored. */
    public byte[] rawValue() {
        return record.value();
    }

    /** The key (the partition key) as UTF-8 text, or null. */
    public String key() {
        if (key == null && record.key() != null) {
            key = new String(record.key(), UTF_8); // decoded once: Flux's log context and the task share it
        }
        return key;
    }

    /** The key's bytes, or null. */
    public byte[] rawKey() {
        return record.key();
    }

    /** The application's headers, in order; Flux's own (the fixed list in the README, e.g. {@code flux-due-at}) are left out. */
    public List<Header> headers() {
        List<Header> headers = new ArrayList<>();
        for (Header header : record.headers()) {
            if (!RetryHeaders.isFluxHeader(header.key())) {
                headers.add(header);
            }
        }
        return headers;
    }

    /** The last application header called {@code name} as UTF-8 text. */
    public Optional<String> header(String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? Optional.empty() : Optional.of(new String(header.value(), UTF_8));
    }

    /** The topic this record was read from (the input topic, or a retry or dead-letter topic). */
    public String topic() {
        return record.topic();
    }

    /** Its partition. */
    public int partition() {
        return record.partition();
    }

    /** Its offset. */
    public long offset() {
        return record.offset();
    }

    /** Its timestamp, epoch milliseconds (for a retried record: when it was forwarded). */
    public long timestamp() {
        return record.timestamp();
    }

    /** The stage handling it: 0 main, 1..N retry, N+1 dead letter. */
    public int stage() {
        return stage;
    }

    /** Where the record first entered the task; for stage 0 the record itself. */
    public Origin origin() {
        return RetryHeaders.origin(record);
    }

    /** Every earlier failure of this record, oldest first; empty in stage 0. */
    public List<Failure> failures() {
        return RetryHeaders.failures(record.headers());
    }

    /** How many times {@code flux dlq replay} sent this record back from the dead letters (0: never). */
    public int replays() {
        return RetryHeaders.replays(record.headers());
    }

    /** The stack trace of the latest failure (shortened to 8 KiB), if any. */
    public Optional<String> lastStackTrace() {
        return RetryHeaders.text(record.headers(), RetryHeaders.STACK_TRACE);
    }

    /** The time before which this stage does not handle the record, if it was retried. */
    public Optional<Instant> dueAt() {
        long due = RetryHeaders.dueAt(record.headers());
        return due == RetryHeaders.NO_DUE_TIME ? Optional.empty() : Optional.of(Instant.ofEpochMilli(due));
    }

    /** The record as read from Kafka, headers included. */
    public ConsumerRecord<byte[], byte[]> record() {
        return record;
    }

    @Override
    public String toString() {
        return "Message[" + record.topic() + "-" + record.partition() + "@" + record.offset() + ", stage " + stage
                + ", key " + key() + "]";
    }
}
