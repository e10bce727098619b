package io.superflux.internal.stage.order;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * What stage 0 holds, per assigned partition: the held keys ({@link Hold}) and the done entries
 * read for leaders it does not hold (yet). It is what the order topic says, plus what this stage
 * wrote and has not read back: a key is held the moment its record fails, not once the hold is
 * acknowledged. Rebuilt from the order topic when a partition is assigned ({@link #restore}).
 * Stage thread only.
 */
final class KeyHolds {
    /** What stage 0 does with a record of a key. */
    enum Admission {
        /** The key is not held: call it. */
        CALL,
        /** The record is the key's leader, read again (after a restart, or replayed): call it. */
        LEADER,
        /** The key is held: park the record behind its leader. */
        PARK,
        /** The record came before its key's leader, or was parked or released here before: it is complete already. */
        KNOWN
    }

    private static final class PartitionState {
        final Map<ByteBuffer, Hold> holds = new LinkedHashMap<>();
        /**
         * Holds read back whose leader or parked records are read again here, by the last such
         * offset: until the partition is read past it the hold releases nothing, and the partition
         * is read however many keys are held (its leader may have to be forwarded again).
         */
        final java.util.TreeMap<Long, Hold> rereading = new java.util.TreeMap<>();
        /** Done entries of leaders that hold nothing (yet): a leader read again may fail again and find it done. */
        final Map<ByteBuffer, LongList> dones = new HashMap<>();
    }

    private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
    private int parkedCount;
    /** Holds read back whose records are still to be read again, over every partition: none, nothing to look up per record. */
    private int rereadingHolds;

    /** {@code partition} was read at {@code offset}: returns the holds read again by now. */
    List<Hold> readAt(TopicPartition partition, long offset) {
        if (rereadingHolds == 0) {
            return List.of();
        }
        PartitionState state = partitions.get(partition);
        if (state == null || state.rereading.isEmpty() || state.rereading.firstKey() > offset) {
            return List.of();
        }
        Map<Long, Hold> read = state.rereading.headMap(offset, true);
        List<Hold> holds = new ArrayList<>(read.values());
        read.clear();
        rereadingHolds -= holds.size();
        holds.forEach(hold -> hold.rereading = false);
        return holds;
    }

    /** Whether {@code partition} has holds read back whose records are still to be read again. */
    boolean rereading(TopicPartition partition) {
        PartitionState state = partitions.get(partition);
        return state != null && !state.rereading.isEmpty();
    }

    /** What to do with the record of {@code key} at {@code offset}, whose headers are {@code headers}. */
    Admission admit(TopicPartition partition, byte[] key, long offset, org.apache.kafka.common.header.Headers headers) {
        Hold hold = hold(partition, key);
        if (hold == null) {
            return Admission.CALL;
        }
        if (offset == hold.leader || io.superflux.internal.headers.RetryHeaders.keyLeader(headers) == hold.leader) {
            return Admission.LEADER;
        }
        if (offset < hold.leader || hold.knows(offset)) {
            return Admission.KNOWN; // before the leader, every record of the key reached its outcome: read again
        }
        return Admission.PARK;
    }

    /** The hold of {@code key}, or null. */
    Hold hold(TopicPartition partition, byte[] key) {
        PartitionState state = partitions.get(partition);
        return state == null ? null : state.holds.get(ByteBuffer.wrap(key));
    }

    /** {@code key} is held from now on by its record at {@code leader}; done at once if its done entry was read. */
    Hold heldBy(TopicPartition partition, byte[] key, long leader, long now) {
        PartitionState state = state(partition);
        ByteBuffer id = ByteBuffer.wrap(key);
        Hold hold = state.holds.computeIfAbsent(id, k -> new Hold(key, leader, now));
        hold.leader = leader;
        hold.leaderDone = removeDone(state, id, leader);
        return hold;
    }

    /** A released record of {@code hold}'s key, at {@code leader}, failed and holds the key now. */
    void newLeader(TopicPartition partition, Hold hold, long leader) {
        hold.leader = leader;
        hold.leaderDone = removeDone(state(partition), ByteBuffer.wrap(hold.key), leader);
    }

    /** Parks the record of {@code hold}'s key at {@code offset}. */
    void park(Hold hold, long offset, long now) {
        int before = hold.parkedOffsets.size();
        hold.park(offset, -1, now);
        parkedCount += hold.parkedOffsets.size() - before;
    }

    /** The first parked record of {@code hold} was released. */
    void releasedFirst(Hold hold) {
        hold.releasedFirst();
        parkedCount--;
    }

    /** {@code hold}'s key is free: it is forgotten. */
    void remove(TopicPartition partition, Hold hold) {
        PartitionState state = partitions.get(partition);
        if (state != null) {
            ByteBuffer id = ByteBuffer.wrap(hold.key);
            state.holds.remove(id);
            state.dones.remove(id);
        }
        parkedCount -= hold.parkedOffsets.size();
    }

    /**
     * A done entry was read: returns the hold whose leader it ends (now to be released), or null
     * (kept for a leader that may be held again).
     */
    Hold doneRead(TopicPartition partition, OrderEntries.Entry entry) {
        PartitionState state = state(partition);
        ByteBuffer id = ByteBuffer.wrap(entry.recordKey());
        Hold hold = state.holds.get(id);
        if (entry.removed()) {
            removeDone(state, id, entry.offset());
            return null;
        }
        if (hold != null && hold.leader == entry.offset()) {
            boolean newly = !hold.leaderDone;
            hold.leaderDone = true;
            return newly ? hold : null;
        }
        if (hold == null || entry.offset() > hold.leader) {
            LongList leaders = state.dones.computeIfAbsent(id, k -> new LongList());
            if (leaders.indexOf(entry.offset()) < 0) {
                leaders.insert(leaders.insertionPoint(entry.offset()), entry.offset());
            }
        }
        return null;
    }

    /** A parked entry was read back: its place in the order topic is known now. Returns its hold if it is first. */
    Hold parkedRead(TopicPartition partition, OrderEntries.Entry entry) {
        Hold hold = hold(partition, entry.recordKey());
        if (hold == null || entry.removed()) {
            return null;
        }
        int index = hold.parkedOffsets.indexOf(entry.offset());
        if (index < 0) {
            return null;
        }
        hold.parkedEntries.set(index, entry.logOffset());
        return index == 0 ? hold : null;
    }

    /**
     * Rebuilds {@code partition} from its order topic's entries ({@code latest}: the last entry of
     * each Kafka key, tombstones included); the stage reads it again from {@code committed}.
     * Returns the tombstones of what is left over (parked records that are no longer parked, done
     * entries of leaders long gone, holds of earlier leaders); {@code released} gets the holds
     * whose leader is done.
     */
    List<ProducerRecord<byte[], byte[]>> restore(TopicPartition partition, String orderTopic,
                                                  Collection<OrderEntries.Entry> latest, long committed, List<Hold> released) {
        forget(List.of(partition));
        PartitionState state = state(partition);
        List<ProducerRecord<byte[], byte[]>> leftovers = new ArrayList<>();
        for (OrderEntries.Entry entry : latest) {
            if (entry.type() == OrderEntries.HOLD && !entry.removed()) {
                Hold hold = new Hold(entry.recordKey(), entry.leader(), entry.heldSince());
                Hold other = state.holds.get(ByteBuffer.wrap(entry.recordKey()));
                if (other != null && other.leader > hold.leader) {
                    leftovers.add(OrderEntries.unhold(orderTopic, partition.partition(), hold.key, hold.leader));
                    continue;
                }
                if (other != null) { // a newer leader's hold: the older one was left over by a crash
                    leftovers.add(OrderEntries.unhold(orderTopic, partition.partition(), other.key, other.leader));
                }
                state.holds.put(ByteBuffer.wrap(entry.recordKey()), hold);
            }
        }
        for (OrderEntries.Entry entry : latest) {
            if (entry.removed() || entry.type() == OrderEntries.HOLD) {
                continue;
            }
            Hold hold = state.holds.get(ByteBuffer.wrap(entry.recordKey()));
            if (entry.type() == OrderEntries.PARKED) {
                if (hold != null && entry.offset() > hold.leader) {
                    hold.park(entry.offset(), entry.logOffset(), hold.since);
                    parkedCount++;
                } else if (entry.offset() < committed) {
                    // released long ago; one at or past the committed offset is left: it is read again and may be
                    // parked again under the same key, which a late removal would then erase
                    leftovers.add(OrderEntries.unpark(orderTopic, partition.partition(), entry.recordKey(), entry.offset()));
                }
            } else if (hold != null ? entry.offset() < hold.leader : entry.offset() < committed) {
                // an earlier leader's, or one of no hold whose record is committed (it is never read again)
                leftovers.add(OrderEntries.undone(orderTopic, partition.partition(), entry.recordKey(), entry.offset()));
            } else {
                doneRead(partition, entry);
            }
        }
        for (Hold hold : state.holds.values()) {
            long last = hold.parkedOffsets.isEmpty() ? hold.leader
                    : Math.max(hold.leader, hold.parkedOffsets.get(hold.parkedOffsets.size() - 1));
            if (last >= committed) {
                hold.rereading = true;
                state.rereading.put(last, hold);
                rereadingHolds++;
            }
            if (hold.leaderDone) {
                released.add(hold);
            }
        }
        return leftovers;
    }

    /** Forgets {@code partitions} (revoked, lost, or restored afresh). */
    void forget(Collection<TopicPartition> gone) {
        for (TopicPartition partition : gone) {
            PartitionState state = partitions.remove(partition);
            if (state != null) {
                rereadingHolds -= state.rereading.size();
                state.holds.values().forEach(hold -> parkedCount -= hold.parkedOffsets.size());
            }
        }
    }

    /** The holds of {@code partition}, in the order they were made. */
    Collection<Hold> holds(TopicPartition partition) {
        PartitionState state = partitions.get(partition);
        return state == null ? List.of() : state.holds.values();
    }

    /** The partitions it keeps. */
    Collection<TopicPartition> partitions() {
        return partitions.keySet();
    }

    /** Keys held, over every partition. */
    int heldKeys() {
        int count = 0;
        for (PartitionState state : partitions.values()) {
            count += state.holds.size();
        }
        return count;
    }

    /** Records parked, over every partition. */
    int parked() {
        return parkedCount;
    }

    /** When the oldest record still parked was parked (epoch ms), or -1 if none is. */
    long oldestParkedAt() {
        long oldest = -1;
        for (PartitionState state : partitions.values()) {
            for (Hold hold : state.holds.values()) {
                if (!hold.parkedAt.isEmpty() && (oldest < 0 || hold.parkedAt.get(0) < oldest)) {
                    oldest = hold.parkedAt.get(0);
                }
            }
        }
        return oldest;
    }

    private PartitionState state(TopicPartition partition) {
        return partitions.computeIfAbsent(partition, p -> new PartitionState());
    }

    private static boolean removeDone(PartitionState state, ByteBuffer id, long leader) {
        LongList leaders = state.dones.get(id);
        if (leaders == null) {
            return false;
        }
        int index = leaders.indexOf(leader);
        if (index < 0) {
            return false;
        }
        // the list is short (a done entry per leader that failed again): rebuild it without that one
        LongList kept = new LongList();
        for (int i = 0; i < leaders.size(); i++) {
            if (i != index) {
                kept.add(leaders.get(i));
            }
        }
        if (kept.isEmpty()) {
            state.dones.remove(id);
        } else {
            state.dones.put(id, kept);
        }
        return true;
    }
}
