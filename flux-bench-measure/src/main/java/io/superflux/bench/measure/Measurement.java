package io.superflux.bench.measure;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What one run measured, printed by a child JVM as one line {@code RESULT key=value …} and parsed
 * by the parent. Between {@link #start()} and {@link #stop(long)}: the JVM's heap peak, its share
 * of time in GC, its process CPU time and the broker's (when {@link CpuClock#BROKER_PID} is set),
 * each also per million messages.
 */
public final class Measurement {
    private final Map<String, Double> values = new LinkedHashMap<>();
    private long gcMillisAtStart;
    private long startNanos;
    private long cpuAtStart;
    private long brokerCpuAtStart;

    /** Starts the window: resets the heap pools' peaks and notes GC, CPU and the clock. */
    public void start() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
        gcMillisAtStart = gcMillis();
        cpuAtStart = CpuClock.processNanos();
        brokerCpuAtStart = CpuClock.brokerNanos();
        startNanos = System.nanoTime();
    }

    /**
     * Ends the window of {@code messages} messages: {@code value} (msg/s), {@code seconds},
     * {@code cpu_s}, {@code cpu_s_per_m}, {@code broker_cpu_s}, {@code broker_cpu_s_per_m},
     * {@code heap_peak_mib}, {@code gc_share_pct}.
     */
    public void stop(long messages) {
        stop();
        put("messages", messages);
        put("value", messages / get("seconds"));
        put("cpu_s_per_m", perMillion(get("cpu_s"), messages));
        if (values.containsKey("broker_cpu_s")) {
            put("broker_cpu_s_per_m", perMillion(get("broker_cpu_s"), messages));
        }
    }

    /** Ends a window that counts no messages (an idle run). */
    public void stop() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        long cpu = CpuClock.processNanos() - cpuAtStart;
        long brokerCpu = CpuClock.brokerNanos();
        long heapPeak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPeak += pool.getPeakUsage().getUsed();
            }
        }
        put("seconds", seconds);
        put("cpu_s", cpu / 1e9);
        put("cpu_core_pct", seconds <= 0 ? 0 : 100.0 * cpu / 1e9 / seconds);
        if (brokerCpuAtStart >= 0 && brokerCpu >= 0) {
            put("broker_cpu_s", (brokerCpu - brokerCpuAtStart) / 1e9);
        }
        put("heap_peak_mib", heapPeak / (1024.0 * 1024.0));
        put("gc_share_pct", seconds <= 0 ? 0 : 100.0 * (gcMillis() - gcMillisAtStart) / 1000.0 / seconds);
    }

    private static double perMillion(double cpuSeconds, long messages) {
        return messages <= 0 ? Double.NaN : cpuSeconds / messages * 1e6;
    }

    /** Adds or replaces one figure. */
    public void put(String key, double value) {
        values.put(key, value);
    }

    /** One figure; fails naming the figures there are when it is missing. */
    public double get(String key) {
        Double value = values.get(key);
        if (value == null) {
            throw new IllegalStateException("no " + key + " in " + values);
        }
        return value;
    }

    /** Whether the figure is there. */
    public boolean has(String key) {
        return values.containsKey(key);
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    /** The line a child JVM prints. */
    public String line() {
        return "RESULT " + values.entrySet().stream()
                .map(e -> e.getKey() + "=" + String.format(Locale.ROOT, "%.6f", e.getValue()))
                .collect(Collectors.joining(" "));
    }

    /** Reads a line printed by {@link #line()}. */
    public static Measurement parse(String line) {
        Measurement measurement = new Measurement();
        for (String pair : line.substring("RESULT ".length()).trim().split(" ")) {
            String[] kv = pair.split("=", 2);
            measurement.values.put(kv[0], Double.parseDouble(kv[1]));
        }
        return measurement;
    }
}
