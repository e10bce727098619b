package io.superflux.internal.stage.order;

/**
 * One held key of one partition: its leader (the stage-0 offset of the record of the key that is
 * in the retry chain, or being released), and the key's later records parked behind it, in offset
 * order, each with where its entry is in the order topic (-1 until it was read back) and when it
 * was parked. Stage thread only.
 */
final class Hold {
    final byte[] key;
    long leader;
    long since;
    /** The leader reached its final outcome: the parked records are released one by one. */
    boolean leaderDone;
    /** A released record became the leader and its forward is not yet acknowledged: nothing moves until it is. */
    boolean forwarding;
    /** A released record is fetched or being called. */
    boolean releasing;
    /**
     * Hold entries of this key sent and not yet acknowledged: the key is not freed before they
     * are, or a hold written again after its removal would hold the key for good.
     */
    int unconfirmedHolds;
    /**
     * Read back at an assignment with its leader or a parked record at or past the committed
     * offset: the partition reads them (and records of the key between them, which may still have
     * to be parked) again, and nothing is released before it has, so that no record is called
     * after a later one of its key.
     */
    boolean rereading;
    /** The highest input offset released here: a record read again at or below it is not parked again. */
    long releasedThrough = -1;
    final LongList parkedOffsets = new LongList();
    final LongList parkedEntries = new LongList();
    final LongList parkedAt = new LongList();

    Hold(byte[] key, long leader, long since) {
        this.key = key;
        this.leader = leader;
        this.since = since;
    }

    /** Parks the record at {@code offset} (entry at {@code entry}, -1 if not yet read back) in offset order. */
    void park(long offset, long entry, long at) {
        if (parkedOffsets.indexOf(offset) >= 0) {
            return;
        }
        int index = parkedOffsets.insertionPoint(offset);
        if (index == parkedOffsets.size()) {
            parkedOffsets.add(offset);
            parkedEntries.add(entry);
            parkedAt.add(at);
        } else {
            parkedOffsets.insert(index, offset);
            parkedEntries.insert(index, entry);
            parkedAt.insert(index, at);
        }
    }

    /** Whether the record at {@code offset} was parked or released here already. */
    boolean knows(long offset) {
        return offset <= releasedThrough || parkedOffsets.indexOf(offset) >= 0;
    }

    /** The first parked record was released (handled, or forwarded as the new leader). */
    void releasedFirst() {
        releasedThrough = Math.max(releasedThrough, parkedOffsets.get(0));
        parkedOffsets.removeFirst();
        parkedEntries.removeFirst();
        parkedAt.removeFirst();
        releasing = false;
    }

    /** Whether nothing of the key is in the chain or parked any more. */
    boolean free() {
        return leaderDone && !forwarding && !releasing && unconfirmedHolds == 0 && !rereading && parkedOffsets.isEmpty();
    }
}
