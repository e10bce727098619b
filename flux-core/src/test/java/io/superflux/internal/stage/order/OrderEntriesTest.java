package io.superflux.internal.stage.order;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class OrderEntriesTest {
    private static OrderEntries.Entry readBack(ProducerRecord<byte[], byte[]> written, long logOffset) {
        return OrderEntries.read(new ConsumerRecord<>(written.topic(), written.partition(), logOffset, written.key(),
                written.value())).orElseThrow();
    }

    @Test
    void aParkedRecordComesBackWholeAsItWasRead() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace", "t-1".getBytes(UTF_8));
        headers.add("empty", null);
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("orders", 3, 41, 1_750_000_000_000L,
                TimestampType.CREATE_TIME, 5, 7, "acct-1".getBytes(UTF_8), "payload".getBytes(UTF_8), headers, Optional.empty());
        ProducerRecord<byte[], byte[]> parked = OrderEntries.park("orders-g-order", record);
        assertEquals(3, parked.partition(), "on the input partition's number");
        OrderEntries.Entry entry = readBack(parked, 9);
        assertEquals(41, entry.offset());
        assertEquals(9, entry.logOffset());
        ConsumerRecord<byte[], byte[]> back = OrderEntries.parkedRecord("orders", 3, entry);
        assertEquals(41, back.offset());
        assertEquals(1_750_000_000_000L, back.timestamp());
        assertArrayEquals("acct-1".getBytes(UTF_8), back.key());
        assertArrayEquals("payload".getBytes(UTF_8), back.value());
        assertEquals(List.of("trace", "empty"), java.util.Arrays.stream(back.headers().toArray()).map(h -> h.key()).toList());
        assertNull(back.headers().lastHeader("empty").value());
        assertTrue(entry.withoutValue().value().length == 0 && !entry.withoutValue().removed(), "read back without its bytes");
    }

    @Test
    void holdsAndDoneEntriesAreOnePerLeaderAndTombstonesRemoveThem() {
        byte[] key = "acct-1".getBytes(UTF_8);
        OrderEntries.Entry hold = readBack(OrderEntries.hold("t", 0, key, 17, 1_000), 0);
        assertEquals(17, hold.leader());
        assertEquals(1_000, hold.heldSince());
        assertEquals(17, hold.offset());
        assertTrue(readBack(OrderEntries.unhold("t", 0, key, 17), 1).removed());
        assertArrayEquals(OrderEntries.hold("t", 0, key, 17, 1).key(), OrderEntries.unhold("t", 0, key, 17).key());
        assertTrue(!java.util.Arrays.equals(OrderEntries.hold("t", 0, key, 17, 1).key(), OrderEntries.hold("t", 0, key, 18, 1).key()),
                "a later leader's hold is another entry: removing the earlier one cannot remove it");
        OrderEntries.Entry done = readBack(OrderEntries.done("t", 0, key, 17, 2, 5_000), 2);
        assertEquals(17, done.offset());
        assertArrayEquals(key, done.recordKey());
        assertEquals(Optional.empty(), OrderEntries.read(new ConsumerRecord<>("t", 0, 3, "x".getBytes(UTF_8), null)),
                "anything else in the topic is not an entry");
    }
}
