package io.superflux.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Which dead letters a {@code flux dlq} command takes: every criterion given must hold. The
 * exception matches the last failure's class by full or simple name.
 *
 * @param exception a class name, or null for any
 * @param since     dead-lettered at or after, or null
 * @param until     dead-lettered before, or null
 * @param key       the exact key, or null for any
 * @param partition the partition, or null for any
 * @param offset    the offset (with a partition), or null for any
 */
record DeadLetterFilter(String exception, Instant since, Instant until, String key, Integer partition, Long offset) {
    static final DeadLetterFilter ALL = new DeadLetterFilter(null, null, null, null, null, null);

    boolean matches(DeadLetter letter) {
        if (exception != null && !letter.exceptionClass().equals(exception)
                && !letter.exceptionClass().endsWith("." + exception) && !letter.exceptionClass().endsWith("$" + exception)) {
            return false;
        }
        if (since != null && letter.deadLetteredAt().isBefore(since)) {
            return false;
        }
        if (until != null && !letter.deadLetteredAt().isBefore(until)) {
            return false;
        }
        if (key != null && !key.equals(letter.key())) {
            return false;
        }
        if (partition != null && letter.partition() != partition) {
            return false;
        }
        return offset == null || letter.offset() == offset;
    }

    /** Whether any criterion is set. */
    boolean any() {
        return !equals(ALL);
    }

    /** The criteria as the command line gave them, for messages. */
    String describe() {
        List<String> parts = new ArrayList<>();
        if (exception != null) {
            parts.add("--exception " + exception);
        }
        if (since != null) {
            parts.add("--since " + since);
        }
        if (until != null) {
            parts.add("--until " + until);
        }
        if (key != null) {
            parts.add("--key " + key);
        }
        if (partition != null) {
            parts.add("--partition " + partition);
        }
        if (offset != null) {
            parts.add("--offset " + offset);
        }
        return parts.isEmpty() ? "all" : String.join(" ", parts);
    }
}
