package io.superflux.faults;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The append-only log a {@link FaultTask} writes, one line per call, and which the test reads to
 * count what happened: {@code OUTCOME stage id partition at-ms due-ms pid}, OUTCOME one of OK (handled),
 * FAIL (the call failed as planned), DEAD (the dead-letter hook ran) and START (a call began). Several worker processes
 * append to one file; each line is one write to a file opened for appending, so lines never mix.
 * Nothing is buffered: a line a SIGKILL interrupts is a line the kernel already has.
 */
final class TaskLog {
    /** One call. */
    record Line(String outcome, int stage, int id, int partition, long at, long due, long pid) {
        /** Whether it was handled before its due time. */
        boolean early() {
            return due > 0 && at < due;
        }

        /** Whether it says how a call ended (not that one began). */
        boolean ended() {
            return !outcome.equals("START");
        }
    }

    private final FileChannel channel;

    private TaskLog(FileChannel channel) {
        this.channel = channel;
    }

    /** Opens {@code file} for appending (creating it). */
    static TaskLog appendingTo(Path file) {
        try {
            return new TaskLog(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Appends one line. */
    void append(String outcome, int stage, int id, int partition, long at, long due) {
        byte[] line = (outcome + " " + stage + " " + id + " " + partition + " " + at + " " + due + " "
                + ProcessHandle.current().pid() + "\n").getBytes(UTF_8);
        try {
            channel.write(ByteBuffer.wrap(line));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every complete line of {@code file} so far. */
    static List<Line> read(Path file) {
        List<Line> lines = new ArrayList<>();
        if (!Files.exists(file)) {
            return lines;
        }
        try {
            for (String text : Files.readAllLines(file, UTF_8)) {
                String[] fields = text.split(" ");
                if (fields.length == 7) {
                    lines.add(new Line(fields[0], Integer.parseInt(fields[1]), Integer.parseInt(fields[2]),
                            Integer.parseInt(fields[3]), Long.parseLong(fields[4]), Long.parseLong(fields[5]),
                            Long.parseLong(fields[6])));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }
}
