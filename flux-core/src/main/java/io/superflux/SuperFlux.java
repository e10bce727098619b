package io.superflux;

import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.MeterRegistry;
import io.superflux.internal.FluxRuntime;
import io.superflux.internal.config.ConfigSources;
import io.superflux.retry.StageSelection;
import io.superflux.task.Task;

/**
 * The entry point: configure Flux once, then produce from any thread.
 *
 * <pre>{@code
 * SuperFlux.configure(config -> config.brokers("kafka-1:9092").clientId("billing"));
 * new AwesomeProducer().produce("MESSAGE", "KEY");
 * ...
 * SuperFlux.shutdown();   // also done by a JVM shutdown hook
 * }</pre>
 *
 * <p>Without a call to {@link #configure}, configuration comes from {@code application.conf},
 * {@code -Dflux.…} system properties and {@code FLUX_…} environment variables on first use.
 * All methods are thread-safe.
 */
public final class SuperFlux {
    private static final Logger LOGGER = LoggerFactory.getLogger("io.superflux");

    private SuperFlux() {
    }

    /**
     * Loads and validates configuration with the settings given in code on top of the other
     * sources (reference.conf &lt; application.conf &lt; config file &lt; system properties &lt;
     * environment &lt; code).
     *
     * @throws FluxConfigException   naming the key, the bad value and what is allowed
     * @throws IllegalStateException if Kafka clients already run: configure before first use, or
     *                               call {@link #shutdown()} first
     */
    public static void configure(Consumer<Configurer> settings) {
        Configurer configurer = new Configurer();
        settings.accept(configurer);
        ClassLoader loader = configurer.classLoader();
        if (loader == null) {
            loader = Thread.currentThread().getContextClassLoader();
        }
        if (loader == null) {
            loader = SuperFlux.class.getClassLoader();
        }
        FluxRuntime.configure(ConfigSources.ofProcess(loader, configurer.configFile(), configurer.overrides()),
                configurer.meterRegistry());
    }

    /**
     * Starts every stage of {@code task} (main, retries, dead letters), each on its own thread,
     * and returns at once. Missing retry and dead-letter topics are created first.
     *
     * @throws IllegalStateException if the cluster cannot be reached or the input topic is missing
     */
    public static Worker start(Task<?> task) {
        return start(task, "all");
    }

    /**
     * Starts the stages of {@code task} selected by {@code stages}: {@code all}, {@code 0},
     * {@code 1-6}, {@code 0,2-4}.
     *
     * @throws IllegalArgumentException if {@code stages} is malformed or out of range
     */
    public static Worker start(Task<?> task, String stages) {
        StageSelection selection = StageSelection.parse(stages, task.spec().plan());
        return FluxRuntime.current().startWorker(task, selection);
    }

    /**
     * Runs every stage of a task until the JVM is asked to stop (SIGTERM, SIGINT) or a stage
     * fails: {@code SuperFlux.run(AwesomeTask.class)}. The task is created with its public static
     * {@code create(TaskContext)} factory method if it declares one, else with its public
     * no-argument constructor.
     *
     * @throws IllegalStateException if a stage failed
     */
    public static void run(Class<? extends Task<?>> taskClass) {
        run(instantiate(taskClass), "all");
    }

    /** Runs the stages of a task class selected by {@code stages} ({@code 0}, {@code 1-6}, …). */
    public static void run(Class<? extends Task<?>> taskClass, String stages) {
        run(instantiate(taskClass), stages);
    }

    /** Runs the selected stages of {@code task} until the JVM is asked to stop or a stage fails. */
    public static void run(Task<?> task, String stages) {
        Worker worker = start(task, stages);
        try {
            worker.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            worker.stop();
        }
        worker.failure().ifPresent(error -> {
            throw new IllegalStateException(task.getClass().getSimpleName() + " stopped because a stage failed: " + error, error);
        });
    }

    private static Task<?> instantiate(Class<? extends Task<?>> taskClass) {
        FluxRuntime runtime = FluxRuntime.current();
        return io.superflux.internal.task.TaskCreation.create(taskClass, io.superflux.internal.task.WorkerContext
                .forCreation(taskClass, runtime.applicationConfig(), runtime.config(), runtime.meters()));
    }

    /** The configuration in force (loaded now if it was not yet). */
    public static FluxConfig config() {
        return FluxRuntime.current().config();
    }

    /**
     * The application's own configuration: every key outside {@code flux { }} of the same
     * sources (reference.conf, application.conf, the config file, system properties; environment
     * variables through {@code ${?VAR}} substitutions). Tasks get it as {@link
     * io.superflux.task.TaskContext#config()}.
     */
    public static com.typesafe.config.Config applicationConfig() {
        return FluxRuntime.current().applicationConfig();
    }

    /** The SLF4J logger Flux logs to ({@code io.superflux}, the parent of every Flux logger). */
    public static Logger logger() {
        return LOGGER;
    }

    /** Where Flux registers its meters (Micrometer's global registry unless configured). */
    public static MeterRegistry meterRegistry() {
        return FluxRuntime.current().meters();
    }

    /**
     * Starts the HTTP endpoint ({@code /metrics}, {@code /health/live}, {@code /health/ready}) on
     * {@code flux.http.host}:{@code flux.http.port}, as {@code flux process} does; once per process
     * (later calls return the running one). {@link #shutdown()} closes it. {@code /metrics} shows
     * Flux's meters when they go to Micrometer's global registry (the default) or to a composite;
     * with a registry of your own (Spring Boot, Quarkus), expose that one instead.
     *
     * @throws FluxConfigException if the port is 0 (off) or cannot be bound
     */
    public static HttpEndpoint startHttpEndpoint() {
        return FluxRuntime.current().startHttpEndpoint();
    }

    /** Sends every message buffered by any producer now and waits until each is acknowledged or failed. */
    public static void flush() {
        FluxRuntime.current().flush();
    }

    /**
     * Stops every running worker gracefully, then delivers every buffered message (waiting up to
     * {@code flux.shutdown-timeout}) and closes Flux's Kafka clients. The configuration is kept:
     * producing again starts new clients. A JVM shutdown hook calls this on exit.
     */
    public static void shutdown() {
        FluxRuntime.shutdown();
    }
}
