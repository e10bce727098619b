package io.superflux.task;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The records a {@link BatchTask} is called with: of one stage, grouped by partition, each
 * partition's in offset order. The task marks the records that failed with {@link #failed}; the
 * others are handled when {@code call} returns. Each failed record goes on alone — to its next
 * stage, a routed one or the dead letters, as a failed {@code call(message)} would — with its own
 * failure history. A {@code call} that throws fails every record not marked, with that exception.
 *
 * <p>Marking is thread-safe: a task may write a batch's records in parallel and mark from any
 * thread, until its {@code call} returns; the marks are read once, then, and a mark made later
 * is not seen (its record counts as if unmarked: handled, or failed with what {@code call} threw).
 *
 * @param <V> the value type
 */
public final class Batch<V> implements Iterable<Message<V>> {
    private final List<Message<V>> messages;
    private final Map<Message<V>, Throwable> failures = new IdentityHashMap<>();
    private Map<Message<V>, Boolean> members;

    private Batch(List<Message<V>> messages) {
        this.messages = messages;
    }

    /**
     * A batch of {@code messages}, in the order given (the stage gives them grouped by partition,
     * in offset order). For tests of a task, too.
     *
     * @throws IllegalArgumentException if {@code messages} is empty
     */
    public static <V> Batch<V> of(List<Message<V>> messages) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a batch has at least one message");
        }
        return new Batch<>(List.copyOf(messages));
    }

    /** The messages, grouped by partition, each partition's in offset order. */
    public List<Message<V>> messages() {
        return messages;
    }

    /** The messages by partition (in the order the partitions come in the batch). */
    public Map<Integer, List<Message<V>>> byPartition() {
        Map<Integer, List<Message<V>>> grouped = new LinkedHashMap<>();
        for (Message<V> message : messages) {
            grouped.computeIfAbsent(message.partition(), partition -> new ArrayList<>()).add(message);
        }
        grouped.replaceAll((partition, list) -> Collections.unmodifiableList(list));
        return Collections.unmodifiableMap(grouped);
    }

    /** How many messages the batch has. */
    public int size() {
        return messages.size();
    }

    @Override
    public Iterator<Message<V>> iterator() {
        return messages.iterator();
    }

    /**
     * {@code message} failed with {@code error}: it goes on alone, as a failed call would (marking
     * it again replaces the error).
     *
     * @throws IllegalArgumentException if {@code message} is not one of this batch's
     */
    public synchronized void failed(Message<V> message, Throwable error) {
        Objects.requireNonNull(error, "failed: error");
        if (members == null) {
            members = new IdentityHashMap<>(messages.size() * 2);
            messages.forEach(member -> members.put(member, Boolean.TRUE));
        }
        if (!members.containsKey(Objects.requireNonNull(message, "failed: message"))) {
            throw new IllegalArgumentException("failed: " + message + " is not a message of this batch");
        }
        failures.put(message, error);
    }

    /** The error {@code message} was marked failed with, or null if it was not. */
    public synchronized Throwable failureOf(Message<V> message) {
        return failures.get(message);
    }

    /** The messages marked failed so far and their errors: a copy, taken at once, keyed by identity. */
    public synchronized Map<Message<V>, Throwable> failures() {
        return Collections.unmodifiableMap(new IdentityHashMap<>(failures));
    }

    /** How many messages are marked failed. */
    public synchronized int failedCount() {
        return failures.size();
    }

    @Override
    public String toString() {
        return "Batch[" + messages.size() + " message(s), " + failedCount() + " failed]";
    }
}
