package io.superflux.internal.stage.simulation;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.superflux.internal.headers.RetryHeaders;
import io.superflux.internal.stage.StageReactor;
import io.superflux.internal.stage.environment.ResetPolicy;
import io.superflux.internal.stage.environment.StageEnvironment;
import io.superflux.internal.stage.environment.StageSettings;
import io.superflux.internal.stage.forward.Forwarder;
import io.superflux.internal.stage.ops.StageMeters;
import io.superflux.retry.Backoff;
import io.superflux.retry.Stage;
import io.superflux.retry.StagePlan;
import io.superflux.task.OutageProtection;
import io.superflux.task.BatchLimits;
import io.superflux.task.TaskSpec;

/**
 * One simulated run of a schedule: the cluster, the stage's incarnations (a process that is
 * stopped, killed or fails is started again, as a supervisor would), the faults as the schedule
 * times them, and the end — once the faults are over and every record is committed, a graceful
 * stop and the final checks; if that does not happen in time, a stall.
 */
final class SimWorld {
    static final long START = 1_750_000_000_000L;
    private static final String TOPIC = "orders";
    private static final String GROUP = "billing";

    /** A killed process's threads get this from every client call. */
    static final class Crashed extends SimScheduler.Quiet {
        private static final long serialVersionUID = 1L;

        Crashed() {
            super("simulated: the process was killed");
        }
    }

    private final class Incarnation {
        final int number;
        SimConsumer consumer;
        SimProducer producer;
        StageReactor stage;
        boolean stopping;
        boolean ended;
        long restartAfter = 200;
        boolean last;

        Incarnation(int number) {
            this.number = number;
        }
    }

    private final Schedule schedule;
    private final Schedule.Config config;
    private final SimScheduler scheduler;
    private final SimHistory history;
    private final SimCluster cluster;
    private final SimFaults faults = new SimFaults();
    private final SimTime time;
    private final StagePlan plan;
    private final Stage stage;
    private final TaskSpec<String> spec;
    private final Map<String, Integer> partitionCounts = new HashMap<>();
    private final Map<Long, Schedule.Input> inputs = new HashMap<>();
    private final Map<Long, Integer> valueReads = new HashMap<>();
    private final Map<Long, Integer> calls = new HashMap<>();
    private final Set<Integer> alive = new HashSet<>();
    private final SplittableRandom random;
    /** Ordered retries: the order topic, and the draws of the retry chain the world plays for the main stage. */
    private final String orderTopic;
    private final SplittableRandom chain;
    private Incarnation current;
    private int incarnations;
    private int arrived;
    private boolean finalStop;
    private boolean finished;

    SimWorld(Schedule schedule, boolean tracing) {
        this.schedule = schedule;
        this.config = schedule.config();
        this.random = new SplittableRandom(schedule.seed());
        this.scheduler = new SimScheduler(random.nextLong(), START, 3_000_000);
        this.time = new SimTime(scheduler);
        this.spec = spec(config, this);
        this.plan = spec.plan();
        this.stage = plan.stage(config.stage());
        this.history = new SimHistory(this, stage.topic(), stage.group(), tracing);
        this.cluster = new SimCluster(history);
        for (int number = 0; number <= plan.deadLetterStage(); number++) {
            cluster.createTopic(plan.stage(number).topic(), config.partitions());
            partitionCounts.put(plan.stage(number).topic(), config.partitions());
        }
        schedule.inputs().forEach(input -> inputs.put(input.id(), input));
        this.orderTopic = io.superflux.internal.stage.order.OrderEntries.topic(TOPIC, GROUP);
        this.chain = new SplittableRandom(schedule.seed() ^ 0xC4A1L);
        if (config.keyOrder() != null) {
            cluster.createTopic(orderTopic, config.partitions());
        }
    }

    /** The task's ordered retries, or null. */
    io.superflux.task.KeyOrder keyOrder() {
        return config.keyOrder();
    }

    int deadLetterStage() {
        return plan.deadLetterStage();
    }

    String orderTopic() {
        return orderTopic;
    }

    /** The kind of stage under test. */
    Stage.Kind stageKind() {
        return stage.kind();
    }

    /** The leader offset a retry stage's input of a key carries (ordered retries): any number the main stage could have written. */
    static long leaderOf(Schedule.Input input) {
        return 1_000 + input.id();
    }

    /**
     * Ordered retries, main stage under test: the world plays the retry chain. A forward that
     * leads its key reaches its final outcome a while later (handled in a retry stage, or — when
     * dead letters hold their key — released by an operator), and the chain writes its done entry.
     */
    void forwardWritten(SimCluster.Stored forward) {
        if (config.keyOrder() == null || stage.kind() != Stage.Kind.MAIN || forward.key == null) {
            return;
        }
        long leader = RetryHeaders.keyLeader(forward.headers);
        int target = RetryHeaders.text(forward.headers, RetryHeaders.STAGE).map(Integer::parseInt).orElse(-1);
        boolean deadLetter = target == plan.deadLetterStage();
        if (leader < 0 || deadLetter && config.keyOrder().afterDeadLetter() == io.superflux.task.KeyOrder.AfterDeadLetter.RELEASE) {
            return;
        }
        long delay = chain.nextLong(deadLetter ? 5_000 : 3_000);
        TopicPartition order = new TopicPartition(orderTopic, forward.partition.partition());
        scheduler.at(scheduler.now() + delay, () -> {
            org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]> done = io.superflux.internal.stage.order.OrderEntries
                    .done(orderTopic, order.partition(), forward.key, leader, target, scheduler.now());
            history.trace("the chain: the leader at " + leader + " of key " + new String(forward.key, StandardCharsets.UTF_8)
                    + (deadLetter ? " is released by an operator" : " is handled in stage " + target));
            cluster.append(order, done.key(), done.value(), new RecordHeaders(), scheduler.now(), null);
        });
    }

    /** Ordered retries: whether no key is held any more (every hold in the order topic is removed). */
    boolean noKeyHeld() {
        return liveHolds().isEmpty();
    }

    /** Ordered retries, main stage: the holds the order topic still has, as partition/key held by leader @offset. */
    List<String> liveHolds() {
        List<String> live = new ArrayList<>();
        if (config.keyOrder() == null || stage.kind() != Stage.Kind.MAIN) {
            return live;
        }
        for (int partition = 0; partition < config.partitions(); partition++) {
            Map<String, SimCluster.Stored> holds = new java.util.LinkedHashMap<>();
            for (SimCluster.Stored stored : cluster.log(new TopicPartition(orderTopic, partition))) {
                if (stored.key != null && stored.key.length > 0 && stored.key[0] == 'H') {
                    holds.put(new String(stored.key, StandardCharsets.ISO_8859_1), stored);
                }
            }
            for (SimCluster.Stored stored : holds.values()) {
                if (stored.value != null) {
                    long leader = java.nio.ByteBuffer.wrap(stored.key, 1, 8).getLong();
                    live.add(partition + "/" + new String(stored.key, 9, stored.key.length - 9, StandardCharsets.UTF_8)
                            + " held by " + leader + " @" + stored.offset);
                }
            }
        }
        return live;
    }

    private static TaskSpec<String> spec(Schedule.Config config, SimWorld world) {
        TaskSpec<String> spec = TaskSpec.topic(TOPIC).group(GROUP).retries(config.retries()).backoff(Backoff.standard())
                .deserializer(new SimTask.Values(world)).concurrency(config.concurrency());
        if (config.batch() != null) {
            spec = spec.batchLimits(config.batch());
        }
        if (config.keyOrder() != null) {
            spec = spec.keyOrder(config.keyOrder());
        }
        if (config.inPlaceAttempts() > 0) {
            spec = spec.retryInPlace(config.inPlaceAttempts(), Duration.ofMillis(config.inPlaceBackoffMillis()));
        }
        if (config.outage() != null) {
            Schedule.Outage outage = config.outage();
            spec = spec.outageProtection(new OutageProtection(outage.failureRate(), outage.minimumCalls(),
                    Duration.ofMillis(outage.windowMillis()), Duration.ofMillis(outage.firstProbeMillis()),
                    Duration.ofMillis(outage.maxProbeMillis())));
        }
        if (config.routing()) {
            spec = spec.fatal(SimTask.Fatal.class);
            if (world.routeTarget(config) > 0) {
                spec = spec.routeTo(world.routeTarget(config), SimTask.Routed.class);
            }
        }
        return spec;
    }

    /** Where routed failures go: two stages on, if there is such a stage; else 0 (no route). */
    int routeTarget(Schedule.Config config) {
        int target = config.stage() + 2;
        return config.kind() != Stage.Kind.DEAD_LETTER && target <= config.retries() + 1 ? target : 0;
    }

    SimScheduler scheduler() {
        return scheduler;
    }

    SimCluster cluster() {
        return cluster;
    }

    /** Whether every other onRevoked of the task throws (the task could not flush its partitions' state). */
    /** Whether the task is a batch task. */
    boolean batches() {
        return config.batch() != null;
    }

    /** Whether every call fails now: a dependency is down. */
    boolean dependencyDown() {
        return faults.outage();
    }

    boolean failingRevocations() {
        return config.failingRevocations();
    }

    SimHistory history() {
        return history;
    }

    SimFaults faults() {
        return faults;
    }

    /** Runs the schedule to its end; throws the first violation. */
    void run() throws Throwable {
        for (Schedule.Input input : schedule.inputs()) {
            scheduler.at(START + input.arriveAt(), () -> arrive(input));
        }
        for (Schedule.Fault fault : schedule.faults()) {
            scheduler.at(START + fault.at(), () -> begin(fault));
        }
        scheduler.at(START + schedule.faultsEndAt(), faults::clear);
        scheduler.at(START + schedule.faultsEndAt() + schedule.livenessMillis() + maxDue(), this::deadline);
        scheduler.at(START, this::startIncarnation);
        scheduler.run(60_000);
        if (!finished && history.violations().isEmpty()) {
            throw new AssertionError("the run ended without its final checks" + (current == null ? "" : " (incarnation "
                    + current.number + ")"));
        }
    }

    private long maxDue() {
        long max = 0;
        for (Schedule.Input input : schedule.inputs()) {
            if (stage.kind() != Stage.Kind.MAIN) {
                max = Math.max(max, dueTime(input) - START);
            }
        }
        return Math.max(0, max - schedule.faultsEndAt());
    }

    // ---- records ----

    static long idOf(byte[] value) {
        String text = new String(value, StandardCharsets.UTF_8);
        return Long.parseLong(text.substring(text.indexOf('#') + 1));
    }

    private void arrive(Schedule.Input input) {
        TopicPartition partition = new TopicPartition(stage.topic(), input.partition());
        byte[] key = input.key() == null ? null : input.key().getBytes(StandardCharsets.UTF_8);
        byte[] value = ((input.value() == Schedule.Value.BAD ? "bad" : "order") + "#" + input.id()).getBytes(StandardCharsets.UTF_8);
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader("app-id", Long.toString(input.id()).getBytes(StandardCharsets.UTF_8)));
        long timestamp = START + input.arriveAt();
        if (stage.kind() != Stage.Kind.MAIN) {
            ConsumerRecord<byte[], byte[]> source = new ConsumerRecord<>(TOPIC, input.partition(), input.id(), key, value);
            headers = RetryHeaders.forward(source, stage.number() - 1, stage.number(), timestamp, START + input.dueAt(),
                    new SimTask.CallFailed("earlier failure"));
            headers.add(new RecordHeader("app-id", Long.toString(input.id()).getBytes(StandardCharsets.UTF_8)));
            if (config.keyOrder() != null && key != null) {
                RetryHeaders.withKeyLeader(headers, input.partition(), leaderOf(input));
            }
            if (input.garbledDue()) {
                headers.remove(RetryHeaders.DUE_AT);
                headers.add(new RecordHeader(RetryHeaders.DUE_AT, "soon".getBytes(StandardCharsets.UTF_8)));
            }
        }
        SimCluster.Stored stored = cluster.append(partition, key, value, headers, timestamp, null);
        history.input(input, partition, stored.offset);
        arrived++;
        if (current != null && current.consumer != null) {
            current.consumer.wakePoller();
        }
    }

    /** When a record may be called at the earliest (Long.MIN_VALUE in the main stage). */
    long dueTime(Schedule.Input input) {
        if (stage.kind() == Stage.Kind.MAIN) {
            return Long.MIN_VALUE;
        }
        if (input.garbledDue()) {
            long fallback = stage.kind() == Stage.Kind.RETRY
                    ? Math.round(spec.backoff().longestDelayBefore(stage.number()).toMillis() * config.timeScale()) : 0;
            return START + input.arriveAt() + fallback;
        }
        return START + input.dueAt();
    }

    /** The shortest wait between two in-place attempts (0: none). */
    long inPlaceBackoff() {
        return config.inPlaceAttempts() == 0 ? 0 : Math.round(config.inPlaceBackoffMillis() * config.timeScale());
    }

    /** Whether failed calls are retried in place in this stage (not in the dead-letter stage: its hook is retried later). */
    boolean retriesInPlace() {
        return stage.kind() != Stage.Kind.DEAD_LETTER && config.inPlaceAttempts() > 0;
    }

    /** Whether a failed call of {@code input} is retried in place: not a fatal or routed type, nor a value that cannot be read. */
    boolean retriedInPlace(Schedule.Input input) {
        return input.behaviour() != Schedule.Behaviour.FATAL && input.behaviour() != Schedule.Behaviour.ROUTED
                && input.value() == Schedule.Value.GOOD;
    }

    /** In-place attempts after a failed call. */
    int inPlaceAttempts() {
        return config.inPlaceAttempts();
    }

    /** The stages a forward of {@code input} may go to. */
    Set<Integer> allowedTargets(Schedule.Input input) {
        Set<Integer> targets = new TreeSet<>();
        if (stage.kind() == Stage.Kind.DEAD_LETTER) {
            return targets;
        }
        if (input.value() == Schedule.Value.BAD) {
            targets.add(plan.deadLetterStage());
            return targets;
        }
        targets.add(stage.number() + 1);
        if (input.behaviour() == Schedule.Behaviour.FATAL) {
            targets.add(plan.deadLetterStage());
        }
        if (input.behaviour() == Schedule.Behaviour.ROUTED && routeTarget(config) > 0) {
            targets.add(routeTarget(config));
        }
        return targets;
    }

    String readValue(byte[] data) {
        long id = idOf(data);
        Schedule.Input input = inputs.get(id);
        int reads = valueReads.merge(id, 1, Integer::sum);
        if (input.value() == Schedule.Value.BAD) {
            // as JSON deserializers do, now and then with the parser's own IOException as the cause
            throw id % 2 == 0 ? new SerializationException("simulated: not an order")
                    : new SerializationException("simulated: not JSON", new java.io.CharConversionException("byte 7"));
        }
        if (input.value() == Schedule.Value.TRANSIENT && reads <= input.valueFailures()) {
            throw SimTask.transientFailure(reads);
        }
        return new String(data, StandardCharsets.UTF_8);
    }

    /** One call (or, in the dead-letter stage, one hook call) of the record whose value is {@code value}. */
    void call(int incarnation, String value, boolean hook) throws Exception {
        checkAlive(incarnation);
        long id = idOf(value.getBytes(StandardCharsets.UTF_8));
        Schedule.Input input = inputs.get(id);
        SimHistory.Story story = history.story(id);
        if (current != null && current.number == incarnation && current.consumer != null
                && !current.consumer.owns(new TopicPartition(stage.topic(), input.partition()))) {
            history.violation("called " + input + " of a partition this process no longer owns", null);
        }
        history.callStarted(story, incarnation, config.concurrency() > 1);
        int call = calls.merge(id, 1, Integer::sum);
        boolean handled = false;
        try {
            long duration = input.callMillis();
            if (input.behaviour() == Schedule.Behaviour.HANG_ONCE && call == 1) {
                duration = 3 * config.shutdownTimeoutMillis();
            }
            if (duration > 0) {
                scheduler.await(scheduler.now() + duration, true);
            }
            checkAlive(incarnation);
            if (faults.outage()) {
                throw new SimTask.CallFailed("simulated: the dependency is down");
            }
            switch (input.behaviour()) {
                case FAIL_N -> {
                    if (call <= input.failures()) {
                        throw new SimTask.CallFailed("simulated failure " + call + " of " + input.failures());
                    }
                }
                case ALWAYS_FAIL -> throw new SimTask.CallFailed("simulated: always fails");
                case FATAL -> throw new SimTask.Fatal();
                case ROUTED -> throw new SimTask.Routed();
                default -> {
                }
            }
            handled = true;
        } finally {
            if (isAlive(incarnation)) {
                history.callEnded(story, incarnation, handled);
            }
        }
    }

    /**
     * A batch task's record that its batch's failed write failed before its own call: to the
     * engine a failed try like any other (its in-place attempts count it), so the history counts
     * one; the schedule's own count of its calls (FAIL_N) does not move.
     */
    void failedWithItsBatch(int incarnation, String value) {
        SimHistory.Story story = history.story(idOf(value.getBytes(StandardCharsets.UTF_8)));
        history.callStarted(story, incarnation, false);
        history.callEnded(story, incarnation, false);
    }

    // ---- incarnations ----

    boolean isAlive(int incarnation) {
        return alive.contains(incarnation);
    }

    void checkAlive(int incarnation) {
        if (!alive.contains(incarnation)) {
            throw new Crashed();
        }
    }

    private void startIncarnation() {
        if (finished || finalStop && current != null) {
            return;
        }
        Incarnation incarnation = new Incarnation(++incarnations);
        current = incarnation;
        alive.add(incarnation.number);
        history.trace("incarnation " + incarnation.number + " starts");
        scheduler.spawn("stage-" + incarnation.number, () -> runIncarnation(incarnation));
    }

    private void runIncarnation(Incarnation incarnation) {
        try {
            boolean transactional = config.exactlyOnce() && stage.kind() != Stage.Kind.DEAD_LETTER;
            incarnation.consumer = new SimConsumer(this, stage.group(), incarnation.number, config.exactlyOnce(),
                    random.split());
            incarnation.producer = new SimProducer(this, incarnation.number, transactional ? "tx-" + stage.group() : null,
                    random.split());
            if (transactional) {
                incarnation.producer.initTransactions();
            }
            SplittableRandom lanes = random.split();
            Forwarder forwarder = new Forwarder(incarnation.producer, transactional);
            io.superflux.internal.stage.order.OrderClients orderClients = config.keyOrder() == null
                    || stage.kind() != Stage.Kind.MAIN ? null : new io.superflux.internal.stage.order.OrderClients(TOPIC,
                    orderTopic, SimOrderConsumer.of(this, incarnation.number, random.split()),
                    SimOrderConsumer.of(this, incarnation.number, random.split()), forwarder);
            incarnation.stage = new StageReactor(SimTask.of(spec, this, incarnation.number), stage, incarnation.consumer,
                    forwarder, partitionCounts, new StageEnvironment(time, random.split(),
                    (threads, prefix) -> new SimLanePool(scheduler, lanes.split(), threads, prefix + "-" + incarnation.number,
                            history)),
                    new StageSettings(config.timeScale(), Duration.ofMillis(config.commitIntervalMillis()),
                            Duration.ofMillis(config.shutdownTimeoutMillis()), Duration.ofMillis(config.revocationBudgetMillis()),
                            ResetPolicy.EARLIEST, Optional.empty(), true, config.exactlyOnce(),
                            config.batch() == null ? BatchLimits.standard() : config.batch()),
                    new StageMeters(new SimpleMeterRegistry(), "SimTask", stage), orderClients);
            incarnation.stage.run();
        } catch (Crashed e) {
            // the process was killed
        } finally {
            ended(incarnation);
        }
    }

    private void ended(Incarnation incarnation) {
        incarnation.ended = true;
        if (!isAlive(incarnation.number)) {
            return; // killed: its restart is on the schedule already
        }
        history.trace("incarnation " + incarnation.number + " ended" + (incarnation.stage == null || incarnation.stage.failure() == null
                ? "" : ": " + incarnation.stage.failure()));
        Throwable failure = incarnation.stage == null ? null : incarnation.stage.failure();
        if (failure != null && !expected(failure)) {
            history.violation("the stage failed: " + failure, failure);
            return;
        }
        Map<String, Integer> leftovers = incarnation.stage.leftovers();
        for (Map.Entry<String, Integer> left : leftovers.entrySet()) {
            if (left.getValue() != 0) {
                history.violation("after the stage stopped it still keeps " + left.getValue() + " " + left.getKey()
                        + " (" + leftovers + ")", null);
                return;
            }
        }
        // A transaction left open (its forwards were not answered by the stop's deadline) shows
        // nothing: the next producer with its id aborts it, as kafka-clients' initTransactions does.
        incarnation.producer.close();
        alive.remove(incarnation.number);
        if (incarnation.last) {
            finish();
        } else {
            scheduler.at(scheduler.now() + incarnation.restartAfter, this::startIncarnation);
        }
    }

    /** Failures a stage may end with in a schedule: those the schedule's permanent faults cause. */
    private boolean expected(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            String name = cause.getClass().getSimpleName();
            if (name.equals("ForwardRefusedException")
                    && schedule.faults().stream().anyMatch(fault -> fault instanceof Schedule.TooLarge)) {
                return true;
            }
            if (cause instanceof ProducerFencedException && schedule.faults().stream()
                    .anyMatch(fault -> fault instanceof Schedule.TransactionFaults tx && tx.fence())) {
                return true;
            }
        }
        return false;
    }

    /** Called by the consumer when a new incarnation polls first: it gets every partition. */
    void joined(SimConsumer consumer) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < config.partitions(); i++) {
            all.add(i);
        }
        consumer.rebalance(new SimConsumer.Rebalance(SimConsumer.Rebalance.Kind.ASSIGN, all));
    }

    void left(SimConsumer consumer) {
        history.trace("consumer of incarnation " + consumer.incarnation() + " closed");
    }

    void polled(SimConsumer consumer) {
        // a step: the invariants that hold at every moment are checked as events happen
    }

    void afterPoll(SimConsumer consumer) {
        if (!finalStop && arrived == schedule.inputs().size() && scheduler.now() >= START + schedule.faultsEndAt()
                && history.allCommitted() && noKeyHeld() && current != null && current.consumer == consumer && isAlive(current.number)
                && !current.stopping) {
            finalStop = true;
            history.trace("quiescent: the final stop");
            stop(current, true, 0);
        }
    }

    private void stop(Incarnation incarnation, boolean last, long restartAfter) {
        incarnation.stopping = true;
        incarnation.last = last;
        incarnation.restartAfter = restartAfter;
        long requestedAt = scheduler.now();
        scheduler.spawn("stopper-" + incarnation.number, () -> {
            if (incarnation.stage == null) {
                return;
            }
            incarnation.stage.stop();
            long deadline = scheduler.now() + config.shutdownTimeoutMillis();
            while (!incarnation.ended && scheduler.now() < deadline) {
                scheduler.awaitUninterruptibly(Math.min(deadline, scheduler.now() + 10));
            }
            if (incarnation.ended) {
                history.stopTook(scheduler.now() - requestedAt);
            } else {
                history.trace("the stop outlasted its timeout: interrupting the calls");
                incarnation.stage.interruptCalls();
                deadline = scheduler.now() + 25_000;
                while (!incarnation.ended && scheduler.now() < deadline) {
                    scheduler.awaitUninterruptibly(Math.min(deadline, scheduler.now() + 10));
                }
                if (!incarnation.ended) {
                    history.violation("the stage did not stop within 25 s after its calls were interrupted;"
                            + scheduler.threadStacks(), null);
                }
            }
        });
    }

    private void begin(Schedule.Fault fault) {
        history.trace("fault: " + fault);
        Incarnation target = current != null && isAlive(current.number) && !current.stopping ? current : null;
        if (fault instanceof Schedule.DependencyDown down) {
            faults.outage(true);
            scheduler.at(START + down.until(), () -> faults.outage(false));
        } else if (fault instanceof Schedule.SendFaults sends) {
            faults.sends(sends.failure(), sends.deliveryTimeout(), sends.thrown());
            scheduler.at(START + sends.until(), () -> faults.sends(0, 0, 0));
        } else if (fault instanceof Schedule.BlockTopic block) {
            faults.blockTopic(plan.stage(block.stage()).topic());
            scheduler.at(START + block.until(), () -> faults.blockTopic(null));
        } else if (fault instanceof Schedule.TooLarge large) {
            faults.tooLarge(large.rate());
            scheduler.at(START + large.until(), () -> faults.tooLarge(0));
        } else if (fault instanceof Schedule.CommitFaults commits) {
            faults.commits(commits.async(), commits.sync());
            scheduler.at(START + commits.until(), () -> faults.commits(0, 0));
        } else if (fault instanceof Schedule.TransactionFaults tx) {
            faults.transactions(tx.rate(), tx.fence(), tx.abortTimeout(), tx.kinds());
            scheduler.at(START + tx.until(), () -> faults.transactions(0, false, 0));
        } else if (fault instanceof Schedule.Rebalance rebalance) {
            if (target != null && target.consumer != null) {
                SimConsumer consumer = target.consumer;
                consumer.rebalance(new SimConsumer.Rebalance(rebalance.lost() ? SimConsumer.Rebalance.Kind.LOST
                        : SimConsumer.Rebalance.Kind.REVOKE, rebalance.partitions()));
                scheduler.at(scheduler.now() + rebalance.backAfter(), () -> {
                    if (!consumer.closed() && isAlive(consumer.incarnation())) {
                        consumer.rebalance(new SimConsumer.Rebalance(SimConsumer.Rebalance.Kind.ASSIGN, rebalance.partitions()));
                    }
                });
            }
        } else if (fault instanceof Schedule.Stop stop) {
            if (target != null) {
                stop(target, false, stop.restartAfter());
            }
        } else if (fault instanceof Schedule.Crash crash) {
            if (target != null) {
                alive.remove(target.number);
                history.trace("incarnation " + target.number + " killed");
                if (target.consumer != null) {
                    target.consumer.wakePoller();
                }
                scheduler.at(scheduler.now() + crash.restartAfter(), this::startIncarnation);
            }
        }
    }

    private void deadline() {
        if (!finalStop) {
            history.violation("stalled: " + schedule.livenessMillis() / 1000 + " s after the faults ended, not everything is committed:"
                    + history.uncommitted() + (current != null && current.stage != null ? "; the stage keeps "
                    + current.stage.leftovers() + ", paused " + (current.consumer == null ? "?" : current.consumer.paused()) : "")
                    + (liveHolds().isEmpty() ? "" : "; the order topic still holds " + liveHolds()), null);
        }
    }

    private void finish() {
        Map<Integer, String> topics = new HashMap<>();
        for (int number = 0; number <= plan.deadLetterStage(); number++) {
            topics.put(number, plan.stage(number).topic());
        }
        history.checkOutcomes(Set.of(), plan.deadLetterStage(), topics, config.exactlyOnce());
        history.checkDoneEntries(plan.deadLetterStage());
        if (history.violations().isEmpty()) {
            finished = true;
        }
        scheduler.end();
    }
}
