package io.superflux.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One record batch as the broker stored it in a log segment, read from the segment file itself
 * (record batch format v2: base offset, length, leader epoch, magic, CRC, attributes, …). Tests
 * use it to see what really reached the disk, e.g. that batches are compressed.
 *
 * @param partition   the partition whose segment holds the batch
 * @param baseOffset  offset of the batch's first record
 * @param recordCount records in the batch
 * @param compression {@code none}, {@code gzip}, {@code snappy}, {@code lz4} or {@code zstd}
 */
public record StoredBatch(int partition, long baseOffset, int recordCount, String compression) {
    private static final String[] CODECS = {"none", "gzip", "snappy", "lz4", "zstd"};
    private static final int HEADER_SIZE = 61;

    /** Every batch in the segment files of {@code topic} below {@code logDirectory}. */
    static List<StoredBatch> read(Path logDirectory, String topic) {
        List<StoredBatch> batches = new ArrayList<>();
        try (Stream<Path> partitions = Files.list(logDirectory)) {
            for (Path partitionDir : partitions.filter(p -> p.getFileName().toString().startsWith(topic + "-")).toList()) {
                String suffix = partitionDir.getFileName().toString().substring(topic.length() + 1);
                if (!suffix.matches("\\d+")) {
                    continue;
                }
                int partition = Integer.parseInt(suffix);
                try (Stream<Path> files = Files.list(partitionDir)) {
                    for (Path segment : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                        readSegment(segment, partition, batches);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not read the segments of " + topic + " in " + logDirectory, e);
        }
        return batches;
    }

    private static void readSegment(Path segment, int partition, List<StoredBatch> batches) throws IOException {
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
            long size = channel.size();
            long position = 0;
            ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE);
            while (position + HEADER_SIZE <= size) {
                header.clear();
                channel.read(header, position);
                header.flip();
                long baseOffset = header.getLong(0);
                int batchLength = header.getInt(8);
                byte magic = header.get(16);
                if (batchLength <= 0) {
                    break; // preallocated, not yet written space
                }
                if (magic != 2) {
                    throw new IllegalStateException("unexpected record batch format " + magic + " in " + segment);
                }
                short attributes = header.getShort(21);
                int recordCount = header.getInt(57);
                batches.add(new StoredBatch(partition, baseOffset, recordCount, CODECS[attributes & 0x7]));
                position += 12L + batchLength;
            }
        }
    }
}
