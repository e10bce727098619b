package io.superflux.internal.producer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.MeterRegistry;
import io.superflux.FluxConfig;

/**
 * The shared producer of each cluster, started on first use. Starting is thread-safe: however
 * many threads ask at once, one {@link ClusterProducer} is made per cluster.
 */
public final class ProducerClients {
    private final FluxConfig config;
    private final MeterRegistry meters;
    private final Runnable onStart;
    private final ConcurrentHashMap<String, ClusterProducer> clusters = new ConcurrentHashMap<>();

    /** {@code onStart} runs (under the map's lock) each time a cluster's producer is started. */
    public ProducerClients(FluxConfig config, MeterRegistry meters, Runnable onStart) {
        this.config = config;
        this.meters = meters;
        this.onStart = onStart;
    }

    /** The cluster's producer, started now if it was not running. */
    public ClusterProducer get(String cluster) {
        ClusterProducer running = clusters.get(cluster);
        if (running != null) {
            return running;
        }
        return clusters.computeIfAbsent(cluster, name -> {
            ClusterProducer started = ClusterProducer.start(config.cluster(name), config.producer(), meters);
            onStart.run();
            return started;
        });
    }

    /** Whether any cluster's producer is running. */
    public boolean anyStarted() {
        return !clusters.isEmpty();
    }

    /** Sends what every running producer buffers and waits for it. */
    public void flushAll() {
        clusters.values().forEach(ClusterProducer::flush);
    }

    /** Flushes and closes every running producer; a later {@link #get} starts a new one. */
    public void closeAll(Duration timeout) {
        List<ClusterProducer> closing = new ArrayList<>();
        for (String name : List.copyOf(clusters.keySet())) {
            ClusterProducer producer = clusters.remove(name);
            if (producer != null) {
                closing.add(producer);
            }
        }
        closing.forEach(producer -> producer.close(timeout));
    }
}
