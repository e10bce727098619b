package io.superflux.internal.task;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.MeterRegistry;
import io.superflux.ClusterSettings;
import io.superflux.DeliveryGuarantee;
import io.superflux.FluxConfig;
import io.superflux.FluxConfigException;
import io.superflux.Worker;
import io.superflux.internal.headers.SafeText;
import io.superflux.internal.kafka.ClientProperties;
import io.superflux.internal.stage.StageReactor;
import io.superflux.internal.stage.environment.LanePools;
import io.superflux.internal.stage.environment.ResetPolicy;
import io.superflux.internal.stage.environment.StageEnvironment;
import io.superflux.internal.stage.environment.StageSettings;
import io.superflux.internal.stage.environment.StageTime;
import io.superflux.internal.stage.forward.Forwarder;
import io.superflux.internal.stage.ops.StageMeters;
import io.superflux.internal.stage.ops.StageStatus;
import io.superflux.internal.stage.order.OrderClients;
import io.superflux.internal.stage.order.OrderEntries;
import io.superflux.internal.stage.position.OffsetResets;
import io.superflux.internal.topics.TaskTopics;
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
    /** How long a stop waits after interrupting the calls: the final commit and closing the clients. */
    private static final Duration AFTER_INTERRUPT = Duration.ofSeconds(25);

    private final Task<?> task;
    private final List<StageReactor> reactors = new ArrayList<>();
    private final List<io.superflux.internal.kafka.ClientMetrics> clientMetrics = new ArrayList<>();
    private final Forwarder forwarder;
    /** Exactly-once: each forwarding stage's own transactional forwarder. */
    private final List<Forwarder> stageForwarders = new ArrayList<>();
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
    public static TaskWorker start(Task<?> task, StageSelection selection, FluxConfig config,
                                   com.typesafe.config.Config applicationConfig, MeterRegistry meters,
                                   Consumer<TaskWorker> onTerminated) {
        StagePlan plan = task.spec().plan();
        ClusterSettings cluster = config.cluster(task.spec().cluster());
        ResetPolicy mainStageReset = ResetPolicy.parse(
                config.consumerProperties().get(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG));
        configureDeserializer(task, cluster, config);
        Map<String, Integer> partitions = TaskTopics.ensure(task, config);
        Forwarder forwarder = new Forwarder(ClientProperties.forwarder(cluster, config.producer().properties(),
                plan.group() + "-forwarder"));
        forwarder.warmUp(plan.topics().subList(1, plan.topics().size()));
        forwarder.bindMetrics(meters);
        List<Stage> stages = selection.stages().stream().map(plan::stage).toList();
        boolean exactlyOnce = config.delivery() == DeliveryGuarantee.EXACTLY_ONCE;
        if (exactlyOnce && task.spec().concurrency() > 1) {
            forwarder.close();
            throw new FluxConfigException("flux.delivery", "flux.delivery = exactly-once needs tasks that run one record at a"
                    + " time, but " + task.getClass().getSimpleName() + " has concurrency(" + task.spec().concurrency()
                    + "): use concurrency(1) or flux.delivery = at-least-once");
        }
        if (exactlyOnce && task.spec().keyOrder().isPresent()) {
            forwarder.close();
            throw new FluxConfigException("flux.delivery", "flux.delivery = exactly-once and ordered retries (keyOrder) on "
                    + task.getClass().getSimpleName() + ": a key's release writes its entries outside the transactions that"
                    + " commit the stage's offsets, so the two do not go together; use flux.delivery = at-least-once (ordered"
                    + " retries never lose a record and never call one out of order; a crash may call one twice)");
        }
        TaskWorker worker = new TaskWorker(task, forwarder, config.shutdownTimeout(), stages.size(), onTerminated);
        try {
            open(task, WorkerContext.forWorker(task.getClass().getSimpleName(), plan, stages, applicationConfig, config,
                    meters));
        } catch (RuntimeException e) {
            forwarder.close();
            throw e;
        }
        List<KafkaConsumer<byte[], byte[]>> consumers = new ArrayList<>();
        try {
            for (Stage stage : stages) {
                worker.reactors.add(worker.newStage(stage, cluster, config, meters, partitions, mainStageReset, exactlyOnce,
                        consumers));
            }
        } catch (RuntimeException e) {
            // e.g. a consumer setting kafka-clients rejects: close what was made, nothing leaks
            consumers.forEach(KafkaConsumer::close);
            worker.clientMetrics.forEach(io.superflux.internal.kafka.ClientMetrics::close);
            forwarder.close();
            worker.stageForwarders.forEach(Forwarder::close);
            close(task);
            throw e;
        }
        String name = task.getClass().getSimpleName();
        for (StageReactor reactor : worker.reactors) {
            reactor.onFailure(worker::stageFailed);
            Thread thread = new Thread(() -> worker.runReactor(reactor),
                    "flux-" + plan.group() + "-stage-" + reactor.stage().number());
            log.info("Starting {} of {}", reactor.stage(), name);
            thread.start();
        }
        return worker;
    }

    /** The task's {@code open}: what it throws stops the worker before anything is read. */
    private static void open(Task<?> task, WorkerContext context) {
        try {
            task.open(context);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException(task.getClass().getName() + ".open(TaskContext) threw " + SafeText.describe(e)
                    + ": the worker did not start and read nothing", e);
        }
    }

    /** The task's {@code close}, once: what it throws is logged, the stages' commits are already made. */
    private static void close(Task<?> task) {
        try {
            task.close();
        } catch (Exception | LinkageError e) {
            log.warn("{}.close() threw {}", task.getClass().getName(), SafeText.describe(e), e);
        }
    }

    /** One stage: its consumer (added to {@code consumers}), its forwarder, its meters and its reactor. */
    private StageReactor newStage(Stage stage, ClusterSettings cluster, FluxConfig config, MeterRegistry meters,
                                  Map<String, Integer> partitions, ResetPolicy mainStageReset, boolean exactlyOnce,
                                  List<KafkaConsumer<byte[], byte[]>> consumers) {
        Map<String, Object> properties = ClientProperties.consumer(cluster, config.consumerProperties(), stage.group(),
                stage.kind());
        // Flux decides where to read when Kafka has no position (OffsetResets): nothing is skipped silently.
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        Optional<String> groupInstanceId = config.membership().groupInstanceId(stage.group());
        groupInstanceId.ifPresent(id -> properties.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        Forwarder stageForwarder = forwarder;
        if (exactlyOnce) {
            properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // aborted forwards are never read
            if (stage.kind() != Stage.Kind.DEAD_LETTER) {
                stageForwarder = transactionalForwarder(cluster, config, stage, groupInstanceId);
                stageForwarders.add(stageForwarder);
                stageForwarder.bindMetrics(meters);
            }
        }
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        consumers.add(consumer);
        clientMetrics.add(io.superflux.internal.kafka.ClientMetrics.of(consumer, meters));
        StageMeters stageMeters = new StageMeters(meters, task.getClass().getSimpleName(), stage);
        stageMeters.status().limitMillis(config.healthCallTimeout().map(Duration::toMillis).orElse(maxPollIntervalMs(properties)));
        OrderClients orderClients = null;
        if (stage.kind() == Stage.Kind.MAIN && task.spec().keyOrder().isPresent()) {
            orderClients = new OrderClients(stage.topic(), OrderEntries.topic(stage.topic(), stage.group()),
                    orderConsumer(properties, "log", consumers), orderConsumer(properties, "reader", consumers), stageForwarder);
        }
        return newReactor(task, stage, consumer, stageForwarder, partitions,
                settings(config, properties, mainStageReset, groupInstanceId), stageMeters, orderClients);
    }

    /** A consumer of the order topic (ordered retries): assigned, no group, from the beginning. */
    private static KafkaConsumer<byte[], byte[]> orderConsumer(Map<String, Object> stageProperties, String role,
                                                               List<KafkaConsumer<byte[], byte[]>> consumers) {
        Map<String, Object> properties = new java.util.HashMap<>(stageProperties);
        properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        properties.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, properties.getOrDefault(ConsumerConfig.CLIENT_ID_CONFIG, "flux") + "-order-" + role);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        consumers.add(consumer);
        return consumer;
    }

    /** Gives the task's deserializer the cluster's settings and flux.serde.properties, once per worker. */
    private static void configureDeserializer(Task<?> task, ClusterSettings cluster, FluxConfig config) {
        try {
            task.spec().deserializer().configure(ClientProperties.serde(cluster, config.serdeProperties()), false);
        } catch (RuntimeException e) {
            throw new IllegalStateException("The deserializer " + task.spec().deserializer().getClass().getName() + " of "
                    + task.getClass().getSimpleName() + " rejected its configuration (the cluster's kafka-clients settings"
                    + " and flux.serde.properties): " + SafeText.describe(e), e);
        }
    }

    /**
     * A stage's transactional forwarder. Its {@code transactional.id} is stable across restarts
     * when the worker has an instance id, so a restarted worker aborts at once what its
     * predecessor left open; without one it is unique per process, and a killed worker's open
     * transaction holds up read_committed readers until {@code transaction.timeout.ms} (60 s).
     */
    private static Forwarder transactionalForwarder(ClusterSettings cluster, FluxConfig config, Stage stage,
                                                    Optional<String> groupInstanceId) {
        String transactionalId = cluster.clientId() + "-" + groupInstanceId.orElse(stage.group() + "-" + UUID.randomUUID());
        return Forwarder.transactional(ClientProperties.transactionalForwarder(cluster, config.producer().properties(),
                stage.group() + "-forwarder", transactionalId));
    }

    /**
     * A revocation must finish well inside the group's rebalance timeout (max.poll.interval.ms, in
     * both group protocols), or the member is expelled and every partition stalls: it waits at most
     * half of it, and never longer than a stop would.
     */
    private StageSettings settings(FluxConfig config, Map<String, Object> consumerProperties,
                                   ResetPolicy mainStageReset, Optional<String> groupInstanceId) {
        long rebalanceTimeoutMs = maxPollIntervalMs(consumerProperties);
        Duration budget = Duration.ofMillis(Math.min(config.shutdownTimeout().toMillis(), rebalanceTimeoutMs / 2));
        return new StageSettings(config.retryTimeScale(), config.commitInterval(), config.shutdownTimeout(), budget,
                mainStageReset, groupInstanceId, config.membership().leaveGroupOnShutdown(),
                config.delivery() == DeliveryGuarantee.EXACTLY_ONCE, config.batch().over(task.spec().batchLimits()));
    }

    private static long maxPollIntervalMs(Map<String, Object> consumerProperties) {
        Object maxPollInterval = consumerProperties.get(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG);
        return maxPollInterval == null ? 300_000 : Long.parseLong(maxPollInterval.toString().trim());
    }

    private static StageReactor newReactor(Task<?> task, Stage stage, KafkaConsumer<byte[], byte[]> consumer,
                                           Forwarder forwarder, Map<String, Integer> partitions, StageSettings settings,
                                           StageMeters meters, OrderClients orderClients) {
        return new StageReactor(task, stage, consumer, forwarder, partitions,
                new StageEnvironment(StageTime.SYSTEM, new SplittableRandom(), LanePools.THREADS), settings, meters,
                orderClients);
    }

    /** A stage failed: the others stop too, at once and in parallel with its own winding down. */
    private synchronized void stageFailed(Throwable error) {
        if (failure == null) {
            failure = error;
            // From another thread: stop() waits for every stage, this one included, to end.
            Thread stopper = new Thread(this::stop, "flux-stop-" + task.getClass().getSimpleName());
            stopper.setDaemon(true);
            stopper.start();
        }
    }

    private void runReactor(StageReactor reactor) {
        try {
            reactor.run();
        } finally {
            if (reactor.failure() != null) {
                stageFailed(reactor.failure());
            }
            if (running.decrementAndGet() == 0) {
                // Clean up before anyone waiting on termination goes on; nothing here may be skipped.
                Thread.interrupted();
                clientMetrics.forEach(io.superflux.internal.kafka.ClientMetrics::close);
                try {
                    forwarder.close();
                    stageForwarders.forEach(Forwarder::close);
                } catch (RuntimeException e) {
                    log.warn("Closing the forwarder of {} failed: {}", task.getClass().getSimpleName(), e.toString());
                } finally {
                    try {
                        close(task); // after every stage's final commit
                        onTerminated.accept(this);
                    } finally {
                        terminated.countDown();
                    }
                }
            }
        }
    }

    /** What each stage is doing (for the health endpoint). */
    public List<StageStatus> statuses() {
        return reactors.stream().<StageStatus>map(StageReactor::status).toList();
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
                log.warn("{} did not stop within {} (flux.shutdown-timeout): interrupting the calls still running; they"
                        + " are not committed and will be read again", task.getClass().getSimpleName(), shutdownTimeout);
                reactors.forEach(StageReactor::interruptCalls);
                if (!terminated.await(AFTER_INTERRUPT.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.error("{} still runs {} after its calls were interrupted (a call that ignores interrupts?);"
                            + " giving up waiting", task.getClass().getSimpleName(), AFTER_INTERRUPT);
                }
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
