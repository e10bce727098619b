package io.superflux.bench;

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
 * by {@link BenchMain}. The JVM's heap peak and its share of time in GC cover the measured window.
 */
final class Measurement {
    private final Map<String, Double> values = new LinkedHashMap<>();
    private long gcMillisAtStart;
    private long startNanos;

    /** Starts the window: resets the heap pools' peaks and notes the GC time so far. */
    void start() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
        gcMillisAtStart = gcMillis();
        startNanos = System.nanoTime();
    }

    /** Ends the window and records heap peak (MiB) and GC share (%) next to the scenario's own values. */
    void stop() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        long heapPeak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPeak += pool.getPeakUsage().getUsed();
            }
        }
        put("heap_peak_mib", heapPeak / (1024.0 * 1024.0));
        put("gc_share_pct", seconds <= 0 ? 0 : 100.0 * (gcMillis() - gcMillisAtStart) / 1000.0 / seconds);
        put("seconds", seconds);
    }

    void put(String key, double value) {
        values.put(key, value);
    }

    double get(String key) {
        Double value = values.get(key);
        if (value == null) {
            throw new IllegalStateException("no " + key + " in " + values);
        }
        return value;
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    String line() {
        return "RESULT " + values.entrySet().stream()
                .map(e -> e.getKey() + "=" + String.format(Locale.ROOT, "%.6f", e.getValue()))
                .collect(Collectors.joining(" "));
    }

    static Measurement parse(String line) {
        Measurement measurement = new Measurement();
        for (String pair : line.substring("RESULT ".length()).trim().split(" ")) {
            String[] kv = pair.split("=", 2);
            measurement.values.put(kv[0], Double.parseDouble(kv[1]));
        }
        return measurement;
    }
}
