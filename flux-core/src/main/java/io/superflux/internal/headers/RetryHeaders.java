package io.superflux.internal.headers;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import io.superflux.task.Failure;
import io.superflux.task.Origin;

/**
 * Flux's headers on forwarded records: the fixed list below, written as UTF-8 text so any Kafka
 * tool shows them. On every forward they are replaced, never accumulated: the record carries one
 * of each. Any other header is the application's and travels unchanged, even one whose name
 * starts with {@code flux-}. The {@code flux-original-…} headers are set at the first failure and
 * then kept; {@code flux-failures} is the short history, one line per failure, newest last.
 */
public final class RetryHeaders {
    public static final String STAGE = "flux-stage";
    public static final String DUE_AT = "flux-due-at";
    public static final String FAILED_AT = "flux-failed-at";
    public static final String FAILED_STAGE = "flux-failed-stage";
    public static final String EXCEPTION_CLASS = "flux-exception-class";
    public static final String EXCEPTION_MESSAGE = "flux-exception-message";
    public static final String STACK_TRACE = "flux-exception-stacktrace";
    public static final String ORIGINAL_TOPIC = "flux-original-topic";
    public static final String ORIGINAL_PARTITION = "flux-original-partition";
    public static final String ORIGINAL_OFFSET = "flux-original-offset";
    public static final String ORIGINAL_TIMESTAMP = "flux-original-timestamp";
    public static final String FAILURES = "flux-failures";
    /** How many times {@code flux dlq replay} sent the record back from the dead letters; kept on every forward. */
    public static final String REPLAYS = "flux-replays";
    /**
     * Ordered retries: "partition:offset" of the stage-0 record that holds its key (the record
     * itself, or the leader it stands for when replayed), kept through every stage and a replay.
     */
    public static final String KEY_LEADER = "flux-key-leader";

    /** Every header Flux defines; only these are Flux's. */
    public static final Set<String> NAMES = Set.of(STAGE, DUE_AT, FAILED_AT, FAILED_STAGE, EXCEPTION_CLASS,
            EXCEPTION_MESSAGE, STACK_TRACE, ORIGINAL_TOPIC, ORIGINAL_PARTITION, ORIGINAL_OFFSET, ORIGINAL_TIMESTAMP,
            FAILURES, REPLAYS, KEY_LEADER);

    /** {@link #dueAt} of a record that has no due time (a stage-0 record). */
    public static final long NO_DUE_TIME = Long.MIN_VALUE;

    static final int MAX_MESSAGE_BYTES = 1024;
    static final int MAX_STACK_TRACE_BYTES = 8 * 1024;
    static final int MAX_HISTORY_BYTES = 4 * 1024;
    static final int MAX_HISTORY_MESSAGE_CHARS = 100;
    /** Limits of a record forwarded again with {@link #trimmed}: what fits next to a value near the size limit. */
    static final int TRIMMED_MESSAGE_BYTES = 200;
    static final int TRIMMED_HISTORY_BYTES = 512;
    /** Digits of the largest epoch-ms value a long holds. */
    private static final int MAX_DIGITS = 19;

    private RetryHeaders() {
    }

    /** Whether a header is one of Flux's own: one of {@link #NAMES}. */
    public static boolean isFluxHeader(String key) {
        return NAMES.contains(key);
    }

    /**
     * The headers of {@code source} forwarded from {@code failedStage} to {@code targetStage}: the
     * application's headers unchanged and in order, then Flux's, replaced.
     */
    public static RecordHeaders forward(ConsumerRecord<byte[], byte[]> source, int failedStage, int targetStage,
                                        long failedAt, long dueAt, Throwable error) {
        return forward(source, failedStage, targetStage, failedAt, dueAt, error, List.of());
    }

    /**
     * The same, for a record whose calls in {@code earlier} failed before, in the same stage, and
     * were retried in place: each is a line of {@code flux-failures}, before this failure's.
     */
    public static RecordHeaders forward(ConsumerRecord<byte[], byte[]> source, int failedStage, int targetStage,
                                 long failedAt, long dueAt, Throwable error, List<FailedCall> earlier) {
        Headers previous = source.headers();
        RecordHeaders headers = new RecordHeaders();
        for (Header header : previous) {
            if (!isFluxHeader(header.key())) {
                headers.add(header);
            }
        }
        put(headers, STAGE, Integer.toString(targetStage));
        put(headers, DUE_AT, Long.toString(dueAt));
        put(headers, FAILED_AT, Long.toString(failedAt));
        put(headers, FAILED_STAGE, Integer.toString(failedStage));
        put(headers, EXCEPTION_CLASS, error.getClass().getName());
        put(headers, EXCEPTION_MESSAGE, Utf8.truncate(String.valueOf(SafeText.message(error)), MAX_MESSAGE_BYTES));
        put(headers, STACK_TRACE, Utf8.truncate(StackTraceText.of(error, MAX_STACK_TRACE_BYTES), MAX_STACK_TRACE_BYTES));
        for (String kept : List.of(REPLAYS, KEY_LEADER)) {
            Header header = previous.lastHeader(kept);
            if (header != null) {
                headers.add(kept, header.value());
            }
        }
        if (previous.lastHeader(ORIGINAL_TOPIC) != null) {
            for (String key : List.of(ORIGINAL_TOPIC, ORIGINAL_PARTITION, ORIGINAL_OFFSET, ORIGINAL_TIMESTAMP)) {
                Header kept = previous.lastHeader(key);
                if (kept != null) {
                    headers.add(key, kept.value());
                }
            }
        } else {
            put(headers, ORIGINAL_TOPIC, source.topic());
            put(headers, ORIGINAL_PARTITION, Integer.toString(source.partition()));
            put(headers, ORIGINAL_OFFSET, Long.toString(source.offset()));
            put(headers, ORIGINAL_TIMESTAMP, Long.toString(source.timestamp()));
        }
        String history = text(previous, FAILURES).orElse("");
        for (FailedCall attempt : earlier) {
            history = history(history, failedStage, attempt.failedAt(), attempt.error());
        }
        put(headers, FAILURES, history(history, failedStage, failedAt, error));
        return headers;
    }

    /**
     * The due time (epoch ms) in {@code headers}, or {@link #NO_DUE_TIME} when there is none or it
     * is not a plain decimal number of at most 19 digits (no sign, no spaces, nothing else): a
     * malformed due time is never read as "due now". Parsed without allocating.
     */
    public static long dueAt(Headers headers) {
        Header header = headers.lastHeader(DUE_AT);
        byte[] digits = header == null ? null : header.value();
        if (digits == null || digits.length == 0 || digits.length > MAX_DIGITS) {
            return NO_DUE_TIME;
        }
        long value = 0;
        for (byte b : digits) {
            int digit = b - '0';
            if (digit < 0 || digit > 9) {
                return NO_DUE_TIME;
            }
            value = value * 10 + digit;
            if (value < 0) {
                return NO_DUE_TIME; // more than Long.MAX_VALUE
            }
        }
        return value;
    }

    /** Whether {@code headers} carry a due-time header at all (readable or not). */
    public static boolean hasDueAt(Headers headers) {
        return headers.lastHeader(DUE_AT) != null;
    }

    /** Where the record first entered: from the original headers, or the record itself in stage 0. */
    public static Origin origin(ConsumerRecord<byte[], byte[]> record) {
        Headers headers = record.headers();
        Optional<String> topic = text(headers, ORIGINAL_TOPIC);
        if (topic.isEmpty()) {
            return new Origin(record.topic(), record.partition(), record.offset(), record.timestamp());
        }
        return new Origin(topic.get(), (int) number(headers, ORIGINAL_PARTITION), number(headers, ORIGINAL_OFFSET),
                number(headers, ORIGINAL_TIMESTAMP));
    }

    /** The failure history, oldest first. */
    public static List<Failure> failures(Headers headers) {
        List<Failure> failures = new ArrayList<>();
        for (String line : text(headers, FAILURES).orElse("").split("\n")) {
            String[] fields = line.split("\t", 4);
            if (fields.length == 4) {
                try {
                    failures.add(new Failure(Integer.parseInt(fields[0]), Instant.ofEpochMilli(Long.parseLong(fields[1])),
                            fields[2], fields[3]));
                } catch (NumberFormatException e) {
                    // a line not written by Flux: leave it out
                }
            }
        }
        return failures;
    }

    /** A header's value as UTF-8 text. */
    public static Optional<String> text(Headers headers, String key) {
        Header header = headers.lastHeader(key);
        return header == null || header.value() == null ? Optional.empty() : Optional.of(new String(header.value(), UTF_8));
    }

    /** {@code headers} without Flux's own. */
    public static RecordHeaders withoutFluxHeaders(Headers headers) {
        RecordHeaders kept = new RecordHeaders();
        for (Header header : headers) {
            if (!isFluxHeader(header.key())) {
                kept.add(header);
            }
        }
        return kept;
    }

    /** What a dead letter replayed once more carries: the application's headers and {@code flux-replays} + 1. */
    public static RecordHeaders replayed(Headers headers) {
        RecordHeaders kept = withoutFluxHeaders(headers);
        kept.add(REPLAYS, Integer.toString(replays(headers) + 1).getBytes(UTF_8));
        Header leader = headers.lastHeader(KEY_LEADER);
        if (leader != null) {
            kept.add(KEY_LEADER, leader.value()); // a replayed leader still holds its key (ordered retries)
        }
        return kept;
    }

    /** The key leader's stage-0 offset in {@code headers}, or -1 if there is none (or it is malformed). */
    public static long keyLeader(Headers headers) {
        String[] parts = keyLeaderParts(headers);
        return parts == null ? -1 : parts[1].isEmpty() ? -1 : parseOr(parts[1]);
    }

    /** The stage-0 partition of the key leader in {@code headers} (where its key's order entries live), or -1. */
    public static int keyLeaderPartition(Headers headers) {
        String[] parts = keyLeaderParts(headers);
        return parts == null ? -1 : (int) Math.min(Integer.MAX_VALUE, parseOr(parts[0]));
    }

    private static String[] keyLeaderParts(Headers headers) {
        String text = text(headers, KEY_LEADER).orElse(null);
        int colon = text == null ? -1 : text.indexOf(':');
        return colon < 0 ? null : new String[] {text.substring(0, colon), text.substring(colon + 1)};
    }

    private static long parseOr(String digits) {
        try {
            return Math.max(-1, Long.parseLong(digits));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@code headers} with {@code flux-key-leader} set to the record at {@code leader} of stage-0 {@code partition}. */
    public static Headers withKeyLeader(Headers headers, int partition, long leader) {
        headers.remove(KEY_LEADER);
        headers.add(KEY_LEADER, (partition + ":" + leader).getBytes(UTF_8));
        return headers;
    }

    /** How many times the record was replayed from the dead letters (0 if never, or if the header is malformed). */
    public static int replays(Headers headers) {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, number(headers, REPLAYS)));
    }

    private static long number(Headers headers, String key) {
        try {
            return Long.parseLong(text(headers, key).orElse("-1"));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The same headers with Flux's failure details shortened, for a record that is too large to
     * forward with them: no stack trace, a message of at most 200 bytes, the newest history lines
     * within 512 bytes. Everything else — the application's headers, due time, origin — is kept.
     */
    public static RecordHeaders trimmed(Headers headers) {
        RecordHeaders trimmed = new RecordHeaders();
        for (Header header : headers) {
            switch (header.key()) {
                case STACK_TRACE -> { }
                case EXCEPTION_MESSAGE -> trimmed.add(header.key(), Utf8.truncate(new String(header.value(), UTF_8),
                        TRIMMED_MESSAGE_BYTES).getBytes(UTF_8));
                case FAILURES -> trimmed.add(header.key(), newestLines(new String(header.value(), UTF_8),
                        TRIMMED_HISTORY_BYTES).getBytes(UTF_8));
                default -> trimmed.add(header);
            }
        }
        return trimmed;
    }

    private static String history(String previous, int stage, long failedAt, Throwable error) {
        String message = String.valueOf(SafeText.message(error)).replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
        if (message.length() > MAX_HISTORY_MESSAGE_CHARS) {
            message = message.substring(0, MAX_HISTORY_MESSAGE_CHARS - 1) + "…";
        }
        String line = stage + "\t" + failedAt + "\t" + error.getClass().getName() + "\t" + message;
        return newestLines(previous.isEmpty() ? line : previous + "\n" + line, MAX_HISTORY_BYTES);
    }

    /** The newest (last) lines of {@code history} that fit in {@code maxBytes}; at least the last line. */
    private static String newestLines(String history, int maxBytes) {
        while (history.getBytes(UTF_8).length > maxBytes && history.indexOf('\n') >= 0) {
            history = history.substring(history.indexOf('\n') + 1);
        }
        return history;
    }

    private static void put(RecordHeaders headers, String key, String value) {
        headers.add(key, value.getBytes(UTF_8));
    }
}
