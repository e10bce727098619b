package io.superflux.cli;

import java.util.Iterator;
import java.util.NavigableSet;
import java.util.TreeSet;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;

/**
 * What the replay group has dealt with in one partition of the dead-letter topic: every offset
 * below the committed one, plus the offsets above it that a filtered replay sent back — kept as
 * ranges in the commit's metadata ({@code 12-15,20}), so that a later replay, filtered or not,
 * never sends a dead letter twice and never skips one that no filter took.
 */
final class ReplayProgress {
    /** Kafka's default {@code offset.metadata.max.bytes} is 4096; stay well inside it. */
    static final int MAX_METADATA_CHARS = 3_900;
    private static final String PREFIX = "flux-replayed:";

    private long committed;
    private final NavigableSet<Long> done = new TreeSet<>();

    private ReplayProgress(long committed) {
        this.committed = committed;
    }

    /** The progress a commit records; {@code fallback} (the log start) when there is none. */
    static ReplayProgress of(OffsetAndMetadata commit, long fallback) {
        if (commit == null) {
            return new ReplayProgress(fallback);
        }
        ReplayProgress progress = new ReplayProgress(commit.offset());
        String metadata = commit.metadata();
        if (metadata != null && metadata.startsWith(PREFIX) && metadata.length() > PREFIX.length()) {
            for (String range : metadata.substring(PREFIX.length()).split(",")) {
                int dash = range.indexOf('-');
                long first = Long.parseLong(dash < 0 ? range : range.substring(0, dash));
                long last = dash < 0 ? first : Long.parseLong(range.substring(dash + 1));
                for (long offset = first; offset <= last; offset++) {
                    progress.done.add(offset);
                }
            }
        }
        return progress;
    }

    /** Where reading starts: the first offset not known to be dealt with. */
    long start() {
        return committed;
    }

    /** Whether the dead letter at {@code offset} was replayed already. */
    boolean isDone(long offset) {
        return offset < committed || done.contains(offset);
    }

    /** Whether marking {@code offset} done still fits in the commit's metadata. */
    boolean fits(long offset) {
        if (isDone(offset)) {
            return true;
        }
        done.add(offset);
        boolean fits = metadata().length() <= MAX_METADATA_CHARS;
        done.remove(offset);
        return fits;
    }

    /** The dead letter at {@code offset} was sent back and acknowledged. */
    void markDone(long offset) {
        done.add(offset);
        while (done.remove(committed)) {
            committed++;
        }
        done.headSet(committed).clear();
    }

    /** The commit to record. */
    OffsetAndMetadata commit() {
        return new OffsetAndMetadata(committed, metadata());
    }

    private String metadata() {
        if (done.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder(PREFIX);
        Iterator<Long> offsets = done.iterator();
        long first = offsets.next();
        long last = first;
        while (offsets.hasNext()) {
            long next = offsets.next();
            if (next != last + 1) {
                append(text, first, last);
                first = next;
            }
            last = next;
        }
        append(text, first, last);
        return text.toString();
    }

    private static void append(StringBuilder text, long first, long last) {
        if (text.length() > PREFIX.length()) {
            text.append(',');
        }
        text.append(first);
        if (last != first) {
            text.append('-').append(last);
        }
    }
}
