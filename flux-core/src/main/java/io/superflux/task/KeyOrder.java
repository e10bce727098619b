package io.superflux.task;

/**
 * Ordered retries: while a record of a key is in the retry chain, the key's later records wait
 * behind it, parked in the task's order topic ({@code <topic>-<group>-order}), and are called in
 * their order once it reaches its final outcome; records of every other key go on at once.
 * Declared with {@link TaskSpec#keyOrder(KeyOrder)}; unordered is the default. Records without a
 * key are not ordered (they are counted). Immutable.
 *
 * <p>What a dead letter does to its key is the policy's: {@link AfterDeadLetter#RELEASE} (the
 * default) lets the key's parked records go on once the earlier record is dead-lettered — a
 * record that can never succeed does not stop its key for good, and its dead letter keeps it for
 * an operator; {@link AfterDeadLetter#HOLD} keeps the key held until the dead letter is replayed
 * and handled, or released with {@code flux dlq release --key}.
 *
 * @see <a href="../../../../docs/ordered-retries.md">docs/ordered-retries.md</a>
 */
public final class KeyOrder {
    /** What a dead-lettered record does to its key. */
    public enum AfterDeadLetter {
        /** The key's parked records go on once the earlier record is dead-lettered. */
        RELEASE,
        /** The key stays held until the dead letter is replayed and handled, or released by an operator. */
        HOLD
    }

    /** Held keys and parked records one stage-0 worker keeps at most before it stops fetching. */
    public static final int DEFAULT_MAX_HELD = 100_000;
    /** The largest {@link #maxHeld}. */
    public static final int MAX_HELD_LIMIT = 50_000_000;

    private final AfterDeadLetter afterDeadLetter;
    private final int maxHeld;

    private KeyOrder(AfterDeadLetter afterDeadLetter, int maxHeld) {
        this.afterDeadLetter = afterDeadLetter;
        this.maxHeld = maxHeld;
    }

    /** Ordered by key; a dead letter releases its key; at most {@value #DEFAULT_MAX_HELD} held. */
    public static KeyOrder ordered() {
        return new KeyOrder(AfterDeadLetter.RELEASE, DEFAULT_MAX_HELD);
    }

    /** The same order, with a dead letter keeping its key held until it is replayed or released. */
    public KeyOrder holdAfterDeadLetter() {
        return new KeyOrder(AfterDeadLetter.HOLD, maxHeld);
    }

    /** The same order, with a dead letter releasing its key (the default). */
    public KeyOrder releaseAfterDeadLetter() {
        return new KeyOrder(AfterDeadLetter.RELEASE, maxHeld);
    }

    /**
     * At most {@code entries} held keys plus parked records kept by one stage-0 worker (each
     * costs its heap: see docs/ordered-retries.md); at the limit the main stage stops fetching
     * until keys are released.
     *
     * @throws IllegalArgumentException if {@code entries} is not from 1 to {@value #MAX_HELD_LIMIT}
     */
    public KeyOrder maxHeld(int entries) {
        if (entries < 1 || entries > MAX_HELD_LIMIT) {
            throw new IllegalArgumentException("keyOrder maxHeld must be from 1 to " + MAX_HELD_LIMIT + ", not " + entries);
        }
        return new KeyOrder(afterDeadLetter, entries);
    }

    /** What a dead letter does to its key. */
    public AfterDeadLetter afterDeadLetter() {
        return afterDeadLetter;
    }

    /** Held keys plus parked records kept at most by one stage-0 worker. */
    public int maxHeld() {
        return maxHeld;
    }

    @Override
    public String toString() {
        return "KeyOrder[afterDeadLetter=" + afterDeadLetter + ", maxHeld=" + maxHeld + "]";
    }
}
