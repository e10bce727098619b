package io.superflux.internal.stage.order;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * The entries of a task's key-order topic ({@code <topic>-<group>-order}, compacted, one partition
 * per input partition), where ordered retries keep what they hold. Each entry's Kafka key says
 * what it is and whose it is; a tombstone (null value) ends it:
 *
 * <ul>
 * <li><b>hold</b> {@code H | leader offset | record key}: the key is held by its leader (the
 *     stage-0 offset of the record that failed and is in the retry chain) since a time. Written by
 *     stage 0 only; one per leader, so that removing a leader's hold can never remove a later
 *     one's (the key with the highest leader offset is the hold).</li>
 * <li><b>parked</b> {@code P | input offset | record key}: a later record of a held key, whole
 *     (timestamp, headers, value), waiting behind the leader. Written by stage 0 only.</li>
 * <li><b>done</b> {@code D | leader offset | record key}: the leader reached its final outcome
 *     (handled in a retry stage, or dead-lettered). Written by the stage that decided it (or by an
 *     operator's release); stage 0 removes it once it has let the key go on.</li>
 * </ul>
 * Values start with a version byte. Stateless.
 */
public final class OrderEntries {
    static final byte HOLD = 'H';
    static final byte PARKED = 'P';
    static final byte DONE = 'D';
    private static final byte VERSION = 1;
    /** The value of a parked entry read back without its record (not a removal). */
    private static final byte[] KEPT_ELSEWHERE = new byte[0];

    /** One entry as read back: {@code offset} is the input offset (parked) or the leader's offset (hold, done). */
    public record Entry(byte type, long offset, byte[] recordKey, byte[] value, long logOffset) {
        /** Whether the entry was removed (a tombstone). */
        public boolean removed() {
            return value == null;
        }

        /** The same entry; a parked record's value is left out (it is fetched back when released). */
        public Entry withoutValue() {
            return type != PARKED || value == null ? this : new Entry(type, offset, recordKey, KEPT_ELSEWHERE, logOffset);
        }

        /** A hold's leader offset. */
        public long leader() {
            return ByteBuffer.wrap(value, 1, 8).getLong();
        }

        /** A hold's start (epoch ms). */
        public long heldSince() {
            return ByteBuffer.wrap(value, 9, 8).getLong();
        }
    }

    private OrderEntries() {
    }

    /** The order topic of the task reading {@code topic} in {@code group}. */
    public static String topic(String topic, String group) {
        return topic + "-" + group + "-order";
    }

    /** The entry {@code record} is, or empty if it is not one of these (then it is ignored). */
    public static Optional<Entry> read(ConsumerRecord<byte[], byte[]> record) {
        byte[] key = record.key();
        if (key == null || key.length == 0) {
            return Optional.empty();
        }
        byte type = key[0];
        if ((type == HOLD || type == PARKED || type == DONE) && key.length >= 9) {
            return Optional.of(new Entry(type, ByteBuffer.wrap(key, 1, 8).getLong(), Arrays.copyOfRange(key, 9, key.length),
                    record.value(), record.offset()));
        }
        return Optional.empty();
    }

    /** The hold of {@code key} by the record at {@code leader}, since {@code since}. */
    public static ProducerRecord<byte[], byte[]> hold(String topic, int partition, byte[] key, long leader, long since) {
        return new ProducerRecord<>(topic, partition, keyed(HOLD, leader, key), ByteBuffer.allocate(17).put(VERSION)
                .putLong(leader).putLong(since).array());
    }

    /** Removes the hold of {@code key} by its leader at {@code leader}. */
    public static ProducerRecord<byte[], byte[]> unhold(String topic, int partition, byte[] key, long leader) {
        return new ProducerRecord<>(topic, partition, keyed(HOLD, leader, key), null);
    }

    /** Parks {@code record} (a record of a held key) whole. */
    public static ProducerRecord<byte[], byte[]> park(String topic, ConsumerRecord<byte[], byte[]> record) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + (record.value() == null ? 0 : record.value().length));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeLong(record.timestamp());
            out.writeBoolean(record.timestampType() == TimestampType.LOG_APPEND_TIME);
            Header[] headers = record.headers().toArray();
            out.writeInt(headers.length);
            for (Header header : headers) {
                out.writeUTF(header.key());
                writeBytes(out, header.value());
            }
            writeBytes(out, record.value());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ProducerRecord<>(topic, record.partition(), keyed(PARKED, record.offset(), record.key()), bytes.toByteArray());
    }

    /** Removes the parked record of {@code key} at {@code inputOffset}. */
    public static ProducerRecord<byte[], byte[]> unpark(String topic, int partition, byte[] key, long inputOffset) {
        return new ProducerRecord<>(topic, partition, keyed(PARKED, inputOffset, key), null);
    }

    /** Says that the leader of {@code key} at {@code leader} reached its final outcome in {@code stage}. */
    public static ProducerRecord<byte[], byte[]> done(String topic, int partition, byte[] key, long leader, int stage, long at) {
        return new ProducerRecord<>(topic, partition, keyed(DONE, leader, key), ByteBuffer.allocate(13).put(VERSION)
                .putInt(stage).putLong(at).array());
    }

    /** Removes the done entry of {@code key}'s leader at {@code leader}. */
    public static ProducerRecord<byte[], byte[]> undone(String topic, int partition, byte[] key, long leader) {
        return new ProducerRecord<>(topic, partition, keyed(DONE, leader, key), null);
    }

    /** The record a parked entry holds, as it was read from {@code inputTopic}. */
    public static ConsumerRecord<byte[], byte[]> parkedRecord(String inputTopic, int partition, Entry parked) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(parked.value()))) {
            in.readByte();
            long timestamp = in.readLong();
            TimestampType type = in.readBoolean() ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME;
            int count = in.readInt();
            RecordHeaders headers = new RecordHeaders();
            for (int i = 0; i < count; i++) {
                headers.add(in.readUTF(), readBytes(in));
            }
            byte[] value = readBytes(in);
            return new ConsumerRecord<>(inputTopic, partition, parked.offset(), timestamp, type,
                    ConsumerRecord.NULL_SIZE, value == null ? ConsumerRecord.NULL_SIZE : value.length, parked.recordKey(), value,
                    headers, Optional.empty());
        } catch (IOException e) {
            throw new UncheckedIOException("a parked entry of the order topic cannot be read", e);
        }
    }

    private static byte[] keyed(byte type, long offset, byte[] key) {
        return ByteBuffer.allocate(9 + key.length).put(type).putLong(offset).put(key).array();
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes == null ? -1 : bytes.length);
        if (bytes != null) {
            out.write(bytes);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }
}
