package io.superflux.internal.task;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.MeterRegistry;
import io.superflux.ClusterSettings;
import io.superflux.FluxConfig;
import io.superflux.Worker;
import io.superflux.internal.kafka.ClientProperties;
import io.superflux.retry.Stage;
import io.superflux.retry.StagePlan;
import io.superflux.retry.StageSelection;
import io.superflux.task.Task;

/**
 * Starts the selected stages of a task: provisions its topics, then one {@link StageReactor}
 * thread per stage, sharing one {@link Forwarder}. If a stage fails, the others are stopped too
 * (a supervisor restarts the process; nothing uncommitted is lost).
 */
public final class TaskWorker implements Worker {
    private static final Logger log = LoggerFactory.getLogger(TaskWorker.class);

    private final Task<?> task;
    private final List<StageReactor<?>> reactors = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Forwarder forwarder;
    private final Duration shutdownTimeout;
    private final AtomicInteger running;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final Consumer<TaskWorker> onTerminated;
    private volatile Throwable failure;

    private TaskWorker(Task<?> task, Forwarder forwarder, Duration shutdownTimeout, int stages,
                       Consumer<TaskWorker> onTerminated) {
        this.task = task;
        this.forwarder = forwarder;
        this.shutdownTimeout = shutdownTimeout;
        this.running = new AtomicInteger(stages);
        this.onTerminated = onTerminated;
    }

    /**
     * Provisions the task's topics and starts the selected stages.
     *
     * @throws IllegalStateException if the cluster cannot be reached in time or topics are missing
     */
    public static TaskWorker start(Task<?> task, StageSelection selection, FluxConfig config, MeterRegistry meters,
                                   Consumer<TaskWorker> onTerminated) {
        StagePlan plan = task.spec().plan();
        ClusterSettings cluster = config.cluster(task.spec().cluster());
        Map<String, Integer> partitions = TaskTopics.ensure(task, config, null);
        Forwarder forwarder = new Forwarder(ClientProperties.forwarder(cluster, plan.group() + "-forwarder"));
        List<Stage> stages = selection.stages().stream().map(plan::stage).toList();
        TaskWorker worker = new TaskWorker(task, forwarder, config.shutdownTimeout(), stages.size(), onTerminated);
        String name = task.getClass().getSimpleName();
        List<KafkaConsumer<byte[], byte[]>> consumers = new ArrayList<>();
        try {
            for (Stage stage : stages) {
                KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                        ClientProperties.consumer(cluster, config.consumerProperties(), stage.group(), stage.number() == 0),
                        new ByteArrayDeserializer(), new ByteArrayDeserializer());
                consumers.add(consumer);
                worker.reactors.add(newReactor(task, stage, consumer, forwarder, partitions, config,
                        new StageMeters(meters, name, stage)));
            }
        } catch (RuntimeException e) {
            // e.g. a consumer setting kafka-clients rejects: close what was made, nothing leaks
            consumers.forEach(KafkaConsumer::close);
            forwarder.close();
            throw e;
        }
        for (StageReactor<?> reactor : worker.reactors) {
            Thread thread = new Thread(() -> worker.runReactor(reactor),
                    "flux-" + plan.group() + "-stage-" + reactor.stage().number());
            worker.threads.add(thread);
            log.info("Starting {} of {}", reactor.stage(), name);
            thread.start();
        }
        return worker;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static StageReactor<?> newReactor(Task<?> task, Stage stage, KafkaConsumer<byte[], byte[]> consumer,
                                              Forwarder forwarder, Map<String, Integer> partitions, FluxConfig config,
                                              StageMeters meters) {
        return new StageReactor(task, stage, consumer, forwarder, partitions, Clock.systemUTC(), new SplittableRandom(),
                config.retryTimeScale(), config.commitInterval(), config.shutdownTimeout(), meters);
    }

    private void runReactor(StageReactor<?> reactor) {
        try {
            reactor.run();
        } finally {
            Throwable error = reactor.failure();
            if (error != null && failure == null) {
                failure = error;
                // Stop the other stages from another thread: stop() waits for this one to end.
                Thread stopper = new Thread(this::stop, "flux-stop-" + task.getClass().getSimpleName());
                stopper.setDaemon(true);
                stopper.start();
            }
            if (running.decrementAndGet() == 0) {
                // Clean up before anyone waiting on termination goes on.
                try {
                    forwarder.close();
                    onTerminated.accept(this);
                } finally {
                    terminated.countDown();
                }
            }
        }
    }

    @Override
    public List<Stage> stages() {
        return reactors.stream().<Stage>map(StageReactor::stage).toList();
    }

    @Override
    public boolean isRunning() {
        return terminated.getCount() > 0;
    }

    @Override
    public void stop() {
        if (stopRequested.compareAndSet(false, true)) {
            log.info("Stopping {} ({} stages)", task.getClass().getSimpleName(), reactors.size());
            reactors.forEach(StageReactor::stop);
        }
        try {
            if (!terminated.await(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.error("{} did not stop within {} (flux.shutdown-timeout): interrupting its stages; records not"
                        + " committed are read again after a restart", task.getClass().getSimpleName(), shutdownTimeout);
                threads.forEach(Thread::interrupt);
                terminated.await(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public String toString() {
        return "Worker[" + task.getClass().getSimpleName() + ", stages " + stages().stream().map(Stage::number).toList() + "]";
    }
}
