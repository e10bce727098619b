package io.superflux.internal.task;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.superflux.retry.Stage;
import io.superflux.task.Task;

/**
 * The real stage engine, built as a worker builds it, for tests in other packages (the
 * simulation): what it is given comes in as interfaces — consumer, producer, time, randomness,
 * lane threads.
 */
public final class StageUnderTest {
    private final StageReactor<?> reactor;

    private StageUnderTest(StageReactor<?> reactor) {
        this.reactor = reactor;
    }

    /** The settings a stage runs with. */
    public record Settings(double timeScale, Duration commitInterval, Duration shutdownTimeout, Duration revocationBudget,
                           boolean exactlyOnce) {
    }

    /** A stage of {@code task} reading with {@code consumer}, forwarding with {@code producer}. */
    public static <V> StageUnderTest create(Task<V> task, Stage stage, Consumer<byte[], byte[]> consumer,
                                            Producer<byte[], byte[]> producer, boolean transactional,
                                            Map<String, Integer> partitionCounts, StageTime time, RandomGenerator random,
                                            Settings settings, LanePools lanes) {
        StageSettings stageSettings = new StageSettings(settings.timeScale(), settings.commitInterval(),
                settings.shutdownTimeout(), settings.revocationBudget(), OffsetResets.Policy.EARLIEST, Optional.empty(), true,
                settings.exactlyOnce());
        StageMeters meters = new StageMeters(new SimpleMeterRegistry(), task.getClass().getSimpleName(), stage);
        return new StageUnderTest(new StageReactor<>(task, stage, consumer, new Forwarder(producer, transactional),
                partitionCounts, time, random, stageSettings, meters, lanes));
    }

    /** Runs the stage on the calling thread until it stops. */
    public void run() {
        reactor.run();
    }

    /** Asks the stage to stop (any thread). */
    public void stop() {
        reactor.stop();
    }

    /** A stop outlasted its timeout: interrupts the calls still running (any thread). */
    public void interruptCalls() {
        reactor.interruptCalls();
    }

    /** The error that stopped the stage, or null. */
    public Throwable failure() {
        return reactor.failure();
    }

    /** What the stage still keeps, by name; all zero after a stop. */
    public Map<String, Integer> leftovers() {
        return reactor.leftovers();
    }
}
