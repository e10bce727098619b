package io.superflux.cli;

import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;

/**
 * What the replay group has dealt with in one partition of the dead-letter topic: every offset
 * below the committed one, plus the offsets above it that a filtered replay sent back — kept as
 * ranges in the commit's metadata ({@code 12-15,20}), so that a later replay, filtered or not,
 * never sends a dead letter twice and never skips one that no filter took.
 *
 * <p>A letter is {@link #take taken} before it is sent, and only if the commit would still fit
 * Kafka's {@code offset.metadata.max.bytes} with it and every letter taken before it; a send that
 * fails gives it back ({@link #failed}). Offsets are held as ranges, never one by one, and the
 * metadata's length is kept as ranges come and go, so a large replay costs memory for its ranges
 * and time in proportion to its letters.
 */
final class ReplayProgress {
    /** Kafka's default {@code offset.metadata.max.bytes} is 4096; stay well inside it. */
    static final int MAX_METADATA_CHARS = 3_900;
    private static final String PREFIX = "flux-replayed:";

    private long committed;
    /** First offset → last offset (inclusive) of each range done above the committed offset; never adjacent. */
    private final TreeMap<Long, Long> ranges = new TreeMap<>();
    /** The length of every range's text, without the commas. */
    private int textLength;

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
                progress.addRange(Math.max(first, progress.committed), last);
            }
        }
        return progress;
    }

    /** Where reading starts: the first offset not known to be dealt with. */
    long start() {
        return committed;
    }

    /** Whether the dead letter at {@code offset} was dealt with already (replayed, or taken in this run). */
    boolean isDone(long offset) {
        if (offset < committed) {
            return true;
        }
        Map.Entry<Long, Long> range = ranges.floorEntry(offset);
        return range != null && range.getValue() >= offset;
    }

    /**
     * Takes the dead letter at {@code offset} for sending; false, and nothing changes, if the
     * commit would no longer fit its metadata with it.
     */
    boolean take(long offset) {
        if (isDone(offset)) {
            return true;
        }
        addRange(offset, offset);
        if (lengthAtCommit() > MAX_METADATA_CHARS) {
            removeOffset(offset);
            return false;
        }
        return true;
    }

    /** The send of the dead letter at {@code offset} failed: it is not done, and the next replay sends it. */
    void failed(long offset) {
        if (offset >= committed) {
            removeOffset(offset);
        }
    }

    /** The commit to record: the committed offset moves over what is done in a row from it. */
    OffsetAndMetadata commit() {
        Map.Entry<Long, Long> first = ranges.firstEntry();
        if (first != null && first.getKey() == committed) {
            removeRange(first.getKey());
            committed = first.getValue() + 1;
        }
        return new OffsetAndMetadata(committed, metadata());
    }

    /** Ranges held (for tests: never one entry per offset). */
    int ranges() {
        return ranges.size();
    }

    /** The metadata's length once the committed offset has moved over a range that starts at it. */
    private int lengthAtCommit() {
        int count = ranges.size();
        int text = textLength;
        Map.Entry<Long, Long> first = ranges.firstEntry();
        if (first != null && first.getKey() == committed) {
            count--;
            text -= textOf(first.getKey(), first.getValue());
        }
        return count == 0 ? 0 : PREFIX.length() + text + count - 1;
    }

    private void addRange(long first, long last) {
        if (last < first) {
            return;
        }
        Map.Entry<Long, Long> before = ranges.floorEntry(first);
        if (before != null && before.getValue() >= first - 1) { // overlaps or touches: join it
            first = before.getKey();
            last = Math.max(last, before.getValue());
            removeRange(before.getKey());
        }
        Map.Entry<Long, Long> after = ranges.ceilingEntry(first);
        while (after != null && after.getKey() <= last + 1) {
            last = Math.max(last, after.getValue());
            removeRange(after.getKey());
            after = ranges.ceilingEntry(first);
        }
        ranges.put(first, last);
        textLength += textOf(first, last);
    }

    private void removeOffset(long offset) {
        Map.Entry<Long, Long> range = ranges.floorEntry(offset);
        if (range == null || range.getValue() < offset) {
            return;
        }
        long first = range.getKey();
        long last = range.getValue();
        removeRange(first);
        if (first < offset) {
            ranges.put(first, offset - 1);
            textLength += textOf(first, offset - 1);
        }
        if (offset < last) {
            ranges.put(offset + 1, last);
            textLength += textOf(offset + 1, last);
        }
    }

    private void removeRange(long first) {
        Long last = ranges.remove(first);
        if (last != null) {
            textLength -= textOf(first, last);
        }
    }

    private static int textOf(long first, long last) {
        return digits(first) + (first == last ? 0 : 1 + digits(last));
    }

    private static int digits(long value) {
        return Long.toString(value).length();
    }

    private String metadata() {
        if (ranges.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder(PREFIX.length() + textLength + ranges.size());
        text.append(PREFIX);
        ranges.forEach((first, last) -> {
            if (text.length() > PREFIX.length()) {
                text.append(',');
            }
            text.append(first);
            if (!first.equals(last)) {
                text.append('-').append(last);
            }
        });
        return text.toString();
    }
}
