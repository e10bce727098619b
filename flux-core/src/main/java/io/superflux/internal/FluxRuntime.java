package io.superflux.internal;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.superflux.FluxConfig;
import io.superflux.internal.config.ConfigLoader;
import io.superflux.internal.config.ConfigSources;
import io.superflux.internal.producer.ClusterProducer;
import io.superflux.internal.producer.ProducerClients;
import io.superflux.internal.task.TaskWorker;
import io.superflux.retry.StageSelection;
import io.superflux.task.Task;

/**
 * The process-wide state behind {@code SuperFlux}: the configuration in force, the meter registry
 * and the shared Kafka clients. Configuration is loaded on first use unless it was given before.
 */
public final class FluxRuntime {
    private static final Logger log = LoggerFactory.getLogger(FluxRuntime.class);
    private static final Object LOCK = new Object();
    private static final AtomicBoolean HOOK_INSTALLED = new AtomicBoolean();
    private static volatile FluxRuntime current;
    private static final Set<TaskWorker> WORKERS = ConcurrentHashMap.newKeySet();
    /** Workers a failed stage stopped: the health endpoint keeps reporting them (with the running ones). */
    private static final Set<TaskWorker> FAILED = ConcurrentHashMap.newKeySet();
    private static volatile boolean shuttingDown;
    private static io.superflux.internal.ops.FluxHttpServer endpoint;

    private final FluxConfig config;
    private final com.typesafe.config.Config applicationConfig;
    private final MeterRegistry meters;
    private final ProducerClients producers;

    private FluxRuntime(ConfigLoader.Loaded loaded, MeterRegistry meters) {
        this.config = loaded.flux();
        this.applicationConfig = loaded.application();
        this.meters = meters;
        this.producers = new ProducerClients(config, meters, FluxRuntime::installShutdownHook);
    }

    /** The runtime in force, loading the configuration from the process's sources on first call. */
    public static FluxRuntime current() {
        FluxRuntime runtime = current;
        if (runtime != null) {
            return runtime;
        }
        synchronized (LOCK) {
            if (current == null) {
                ClassLoader loader = Thread.currentThread().getContextClassLoader();
                current = new FluxRuntime(ConfigLoader.loadAll(ConfigSources.ofProcess(
                        loader != null ? loader : FluxRuntime.class.getClassLoader(), null, java.util.Map.of())),
                        Metrics.globalRegistry);
            }
            return current;
        }
    }

    /**
     * Replaces the configuration. Validation errors are thrown before anything changes.
     *
     * @throws IllegalStateException if Kafka clients already run with the old configuration
     */
    public static void configure(ConfigSources sources, MeterRegistry meters) {
        ConfigLoader.Loaded config = ConfigLoader.loadAll(sources);
        synchronized (LOCK) {
            if (current != null && (current.producers.anyStarted() || !WORKERS.isEmpty())) {
                throw new IllegalStateException("SuperFlux.configure was called while Flux's Kafka clients run with the"
                        + " previous configuration: configure before the first produce, or call SuperFlux.shutdown() first");
            }
            current = new FluxRuntime(config, meters != null ? meters : Metrics.globalRegistry);
        }
    }

    /**
     * Stops every running worker (their stages finish the record in hand and commit), then flushes
     * and closes every producer. The configuration stays; the next use starts new clients.
     */
    public static void shutdown() {
        shuttingDown = true; // /health/ready says so while the workers wind down
        try {
            for (TaskWorker worker : List.copyOf(WORKERS)) {
                worker.stop();
            }
            FluxRuntime runtime = current;
            if (runtime != null) {
                runtime.producers.closeAll(runtime.config.shutdownTimeout());
            }
            synchronized (LOCK) {
                if (endpoint != null) {
                    endpoint.close();
                    endpoint = null;
                }
                FAILED.clear();
            }
        } finally {
            shuttingDown = false;
        }
    }

    /**
     * Starts the HTTP endpoint on {@code flux.http.host}:{@code flux.http.port} (once; later calls
     * return the running one).
     *
     * @throws io.superflux.FluxConfigException if the port is 0 (off) or cannot be bound
     */
    public io.superflux.HttpEndpoint startHttpEndpoint() {
        synchronized (LOCK) {
            if (endpoint == null) {
                if (!config.http().enabled()) {
                    throw new io.superflux.FluxConfigException("flux.http.port", "The HTTP endpoint is off"
                            + " (flux.http.port = 0): set a port to start it");
                }
                installShutdownHook();
                io.superflux.internal.ops.PrometheusMetrics metrics = new io.superflux.internal.ops.PrometheusMetrics(meters);
                try {
                    endpoint = io.superflux.internal.ops.FluxHttpServer.start(config.http(), metrics,
                            FluxRuntime::stageStatuses, () -> shuttingDown);
                } catch (RuntimeException e) {
                    metrics.close();
                    throw e;
                }
            }
            return endpoint;
        }
    }

    /** The stages the health endpoint reports on. */
    static List<io.superflux.internal.stage.ops.StageStatus> stageStatuses() {
        List<io.superflux.internal.stage.ops.StageStatus> statuses = new java.util.ArrayList<>();
        for (TaskWorker worker : WORKERS) {
            statuses.addAll(worker.statuses());
        }
        for (TaskWorker worker : FAILED) {
            statuses.addAll(worker.statuses());
        }
        return statuses;
    }

    /** Starts the selected stages of {@code task}; {@link #shutdown()} stops them. */
    public TaskWorker startWorker(Task<?> task, StageSelection stages) {
        installShutdownHook();
        TaskWorker worker = TaskWorker.start(task, stages, config, applicationConfig, meters, FluxRuntime::ended);
        WORKERS.add(worker);
        if (!worker.isRunning()) {
            ended(worker);
        }
        return worker;
    }

    /** A worker stopped: a stop is not a fault; one a failed stage stopped stays reported. */
    private static void ended(TaskWorker worker) {
        WORKERS.remove(worker);
        if (worker.failure().isPresent()) {
            FAILED.add(worker);
        }
    }

    public FluxConfig config() {
        return config;
    }

    /** The application's own configuration (every key outside {@code flux}). */
    public com.typesafe.config.Config applicationConfig() {
        return applicationConfig;
    }

    public MeterRegistry meters() {
        return meters;
    }

    /** The shared producer of {@code cluster}, started on first use. */
    public ClusterProducer producer(String cluster) {
        return producers.get(cluster);
    }

    /** Sends every buffered message now and waits for the deliveries. */
    public void flush() {
        producers.flushAll();
    }

    private static void installShutdownHook() {
        if (HOOK_INSTALLED.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                log.info("JVM shutting down: stopping Flux workers and flushing producers");
                shutdown();
            }, "flux-shutdown"));
        }
    }
}
