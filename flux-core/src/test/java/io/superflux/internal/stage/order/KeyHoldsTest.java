package io.superflux.internal.stage.order;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** What stage 0 makes of its order topic when a partition is assigned, and what a held key costs in heap. */
class KeyHoldsTest {
    private static final TopicPartition INPUT = new TopicPartition("orders", 0);
    private static final byte[] KEY = "acct-1".getBytes(UTF_8);

    private static OrderEntries.Entry entry(ProducerRecord<byte[], byte[]> written, long logOffset) {
        return OrderEntries.read(new ConsumerRecord<>(written.topic(), written.partition(), logOffset, written.key(),
                written.value())).orElseThrow().withoutValue();
    }

    private static ProducerRecord<byte[], byte[]> parked(long offset) {
        return OrderEntries.park("o", new ConsumerRecord<>("orders", 0, offset, KEY, "v".getBytes(UTF_8)));
    }

    @Test
    void aRestoreKeepsTheNewestHoldAndItsParkedRecordsAndCleansWhatIsLeftOver() {
        KeyHolds holds = new KeyHolds();
        List<OrderEntries.Entry> log = List.of(entry(OrderEntries.hold("o", 0, KEY, 3, 100), 0), entry(parked(2), 1),
                entry(parked(5), 2), entry(parked(7), 3), entry(OrderEntries.hold("o", 0, KEY, 5, 200), 4),
                entry(OrderEntries.done("o", 0, KEY, 3, 1, 300), 5));
        List<Hold> released = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> leftovers = holds.restore(INPUT, "o", log, 10, released);

        Hold hold = holds.hold(INPUT, KEY);
        assertEquals(5, hold.leader, "the hold of the newest leader");
        assertEquals(1, hold.parkedOffsets.size(), "only what comes after it is parked");
        assertEquals(7, hold.parkedOffsets.get(0));
        assertEquals(3, hold.parkedEntries.get(0), "with where its entry is");
        assertTrue(released.isEmpty(), "its leader is not done");
        assertEquals(4, leftovers.size(), "the older hold, the records parked up to its leader and its done entry: " + leftovers);
        assertTrue(leftovers.stream().allMatch(tombstone -> tombstone.value() == null));
        assertFalse(hold.rereading, "everything of it is below the committed offset");
        assertEquals(KeyHolds.Admission.KNOWN, holds.admit(INPUT, KEY, 4, new org.apache.kafka.common.header.internals.RecordHeaders()), "before the leader: done already");
        assertEquals(KeyHolds.Admission.LEADER, holds.admit(INPUT, KEY, 5, new org.apache.kafka.common.header.internals.RecordHeaders()));
        assertEquals(KeyHolds.Admission.KNOWN, holds.admit(INPUT, KEY, 7, new org.apache.kafka.common.header.internals.RecordHeaders()), "parked already");
        assertEquals(KeyHolds.Admission.PARK, holds.admit(INPUT, KEY, 11, new org.apache.kafka.common.header.internals.RecordHeaders()));
    }

    @Test
    void aParkedRecordAtOrPastTheCommittedOffsetIsKeptAndTheHoldReleasesOnlyOnceReadAgain() {
        KeyHolds holds = new KeyHolds();
        List<OrderEntries.Entry> log = List.of(entry(OrderEntries.hold("o", 0, KEY, 3, 100), 0), entry(parked(8), 1),
                entry(parked(2), 2), entry(OrderEntries.done("o", 0, KEY, 3, 1, 300), 3));
        List<Hold> released = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> leftovers = holds.restore(INPUT, "o", log, 6, released);
        Hold hold = holds.hold(INPUT, KEY);
        assertEquals(List.of(hold), released, "its leader is done");
        assertTrue(hold.rereading, "record 8 is read again: a record of the key between may still be parked before it");
        assertEquals(1, leftovers.size(), "the record parked before the leader goes; nothing read again is removed");
        assertTrue(holds.rereading(INPUT));
        assertEquals(List.of(), holds.readAt(INPUT, 7));
        assertEquals(List.of(hold), holds.readAt(INPUT, 8));
        assertFalse(hold.rereading);
    }

    @Test
    void aHeldKeyAndAParkedRecordCostWhatTheDocsSay() {
        long keyOnly = bytesPerKey(200_000, 0);
        long withParked = bytesPerKey(200_000, 4);
        System.out.printf("ordered retries heap: %d B per held key, %d B per parked record%n", keyOnly, (withParked - keyOnly) / 4);
        // the bound docs/ordered-retries.md states: at most 300 B per held key (its 14-byte key included), 48 per parked record
        assertTrue(keyOnly < 300, "heap per held key: " + keyOnly + " B");
        assertTrue((withParked - keyOnly) / 4 < 48, "heap per parked record: " + (withParked - keyOnly) / 4 + " B");
    }

    /** Heap per held key with {@code parkedPerKey} records parked behind each (key bytes included). */
    private static long bytesPerKey(int keys, int parkedPerKey) {
        byte[][] names = new byte[keys][];
        long before = usedHeap();
        KeyHolds holds = new KeyHolds();
        for (int i = 0; i < keys; i++) {
            names[i] = String.format("account-%06d", i).getBytes(UTF_8);
            Hold hold = holds.heldBy(INPUT, names[i], i * 10L, 1_000);
            for (int p = 1; p <= parkedPerKey; p++) {
                holds.park(hold, i * 10L + p, 2_000);
            }
        }
        long used = usedHeap() - before;
        assertEquals(keys, holds.heldKeys());
        assertEquals(keys * parkedPerKey, holds.parked());
        return used / keys;
    }

    private static long usedHeap() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
