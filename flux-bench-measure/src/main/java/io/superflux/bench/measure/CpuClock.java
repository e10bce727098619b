package io.superflux.bench.measure;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time used so far, in nanoseconds: this JVM's (user + system, all threads), or another
 * process's read from {@code /proc/<pid>/stat} (Linux; clock ticks of 10 ms, USER_HZ = 100).
 */
public final class CpuClock {
    /** The system property naming the broker's process id; set by {@code scripts/bench}. */
    public static final String BROKER_PID = "flux.bench.broker-pid";
    private static final long NANOS_PER_TICK = 10_000_000L;

    private CpuClock() {
    }

    /** CPU time of this JVM process. */
    public static long processNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** CPU time of the broker process named by {@value #BROKER_PID}, or -1 when none is named or it cannot be read. */
    public static long brokerNanos() {
        String pid = System.getProperty(BROKER_PID, "");
        if (pid.isEmpty()) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // Fields after the command name (which may hold spaces, inside parentheses): state is field 3,
            // utime field 14, stime field 15.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
