package io.superflux.internal.stage.simulation;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.consumer.RetriableCommitFailedException;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * A consumer of the simulated cluster, with the kafka-clients behaviour the engine relies on:
 * the rebalance listener and commit callbacks run inside poll on the caller's thread; paused
 * partitions return nothing; a seek, pause or resume of a partition not assigned throws
 * IllegalStateException; no position and no committed offset throws NoOffsetForPartitionException
 * (auto.offset.reset=none); an asynchronous commit still in flight when the group rebalances
 * fails; {@code wakeup} ends the current or next poll or commitSync with WakeupException; an
 * interrupted thread gets InterruptException; read_committed stops at the first open transaction
 * and skips aborted records. One consumer per incarnation of a stage; it dies with it.
 */
final class SimConsumer implements Consumer<byte[], byte[]> {
    /** A change of assignment the world asks for; carried out inside the next poll. */
    record Rebalance(Kind kind, List<Integer> partitions) {
        enum Kind { REVOKE, ASSIGN, LOST }
    }

    private record PendingCommit(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback,
                                 long readyAt, int generation, boolean fails) {
    }

    private final SimWorld world;
    private final SimScheduler scheduler;
    private final SimCluster cluster;
    private final String group;
    private final int incarnation;
    private final boolean readCommitted;
    private final SplittableRandom random;
    private final int maxPollRecords;
    private String topic;
    private ConsumerRebalanceListener listener;
    private final TreeSet<TopicPartition> assignment = new TreeSet<>((a, b) -> Integer.compare(a.partition(), b.partition()));
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private final Set<TopicPartition> paused = new HashSet<>();
    private final Set<TopicPartition> fetched = new HashSet<>();
    private final ArrayDeque<Rebalance> rebalances = new ArrayDeque<>();
    private final ArrayDeque<PendingCommit> commits = new ArrayDeque<>();
    private int generation;
    private int fetchStart;
    private boolean firstAssignmentDone;
    private volatile boolean wakeup;
    private SimScheduler.SimThread poller;
    private boolean inRevocation;
    private final Set<TopicPartition> lost = new HashSet<>();
    private boolean closed;

    SimConsumer(SimWorld world, String group, int incarnation, boolean readCommitted, SplittableRandom random) {
        this.world = world;
        this.scheduler = world.scheduler();
        this.cluster = world.cluster();
        this.group = group;
        this.incarnation = incarnation;
        this.readCommitted = readCommitted;
        this.random = random;
        this.maxPollRecords = 1 + random.nextInt(12);
    }

    /** The world asks for a change of assignment, carried out in the next poll. */
    void rebalance(Rebalance rebalance) {
        rebalances.addLast(rebalance);
        wakePoller();
    }

    /** Records arrived (or the world changed): a poll waiting for data looks again. */
    void wakePoller() {
        if (poller != null) {
            scheduler.wake(poller);
        }
    }

    /** Whether this consumer owns {@code partition} now (assigned, and not lost). */
    boolean owns(TopicPartition partition) {
        return assignment.contains(partition) && !lost.contains(partition);
    }

    int incarnation() {
        return incarnation;
    }

    boolean closed() {
        return closed;
    }

    private void checkUsable() {
        if (scheduler.ended()) {
            throw new SimScheduler.Ended();
        }
        if (closed) {
            throw new IllegalStateException("This consumer has already been closed.");
        }
        world.checkAlive(incarnation);
    }

    private void checkWakeupAndInterrupt() {
        if (wakeup) {
            wakeup = false;
            throw new WakeupException();
        }
        if (Thread.interrupted()) {
            throw new InterruptException(new InterruptedException());
        }
    }

    @Override
    public void subscribe(Collection<String> topics, ConsumerRebalanceListener listener) {
        checkUsable();
        this.topic = topics.iterator().next();
        this.listener = listener;
    }

    @Override
    public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        checkUsable();
        long deadline = scheduler.now() + timeout.toMillis();
        try {
            while (true) {
                checkWakeupAndInterrupt();
                world.checkAlive(incarnation);
                deliverCommitCallbacks(false);
                if (!firstAssignmentDone) {
                    firstAssignmentDone = true;
                    world.joined(this);
                }
                runRebalances();
                resolvePositions();
                ConsumerRecords<byte[], byte[]> records = fetch();
                world.polled(this);
                if (!records.isEmpty() || scheduler.now() >= deadline) {
                    // A poll takes a moment, even poll(0): a loop that polls without end still lets time pass.
                    scheduler.awaitUninterruptibly(scheduler.now() + 1);
                    return records;
                }
                poller = scheduler.current();
                try {
                    scheduler.await(nextWake(deadline), true);
                } catch (InterruptedException e) {
                    throw new InterruptException(e);
                } finally {
                    poller = null;
                }
            }
        } finally {
            world.afterPoll(this);
        }
    }

    private long nextWake(long deadline) {
        long wake = deadline;
        for (PendingCommit commit : commits) {
            wake = Math.min(wake, Math.max(commit.readyAt, scheduler.now()));
        }
        return wake;
    }

    private void runRebalances() {
        while (!rebalances.isEmpty()) {
            Rebalance rebalance = rebalances.pollFirst();
            List<TopicPartition> partitions = new ArrayList<>();
            for (int number : rebalance.partitions()) {
                TopicPartition partition = new TopicPartition(topic, number);
                boolean owned = assignment.contains(partition);
                if (rebalance.kind() == Rebalance.Kind.ASSIGN ? !owned : owned) {
                    partitions.add(partition);
                }
            }
            if (partitions.isEmpty()) {
                continue;
            }
            generation++;
            switch (rebalance.kind()) {
                case REVOKE -> {
                    inRevocation = true;
                    long started = scheduler.now();
                    try {
                        listener.onPartitionsRevoked(partitions);
                    } finally {
                        inRevocation = false;
                    }
                    world.history().revocationTook(scheduler.now() - started);
                    drop(partitions);
                }
                case LOST -> {
                    lost.addAll(partitions); // still assigned during the callback, as in kafka-clients, but not committable
                    try {
                        listener.onPartitionsLost(partitions);
                    } finally {
                        lost.clear();
                        drop(partitions);
                    }
                }
                case ASSIGN -> {
                    assignment.addAll(partitions);
                    partitions.forEach(world.history()::assigned);
                    listener.onPartitionsAssigned(partitions);
                }
            }
        }
    }

    private void drop(List<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            assignment.remove(partition);
            positions.remove(partition);
            paused.remove(partition);
            fetched.remove(partition);
        }
    }

    private void resolvePositions() {
        Set<TopicPartition> missing = new HashSet<>();
        for (TopicPartition partition : assignment) {
            if (!positions.containsKey(partition)) {
                OffsetAndMetadata committed = cluster.committed(group, partition);
                if (committed != null) {
                    setPosition(partition, committed.offset(), "committed");
                } else {
                    missing.add(partition);
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new NoOffsetForPartitionException(missing);
        }
    }

    private ConsumerRecords<byte[], byte[]> fetch() {
        List<TopicPartition> order = new ArrayList<>(assignment);
        if (order.isEmpty()) {
            return ConsumerRecords.empty();
        }
        int budget = 1 + random.nextInt(maxPollRecords);
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> out = new LinkedHashMap<>();
        fetchStart = (fetchStart + 1) % order.size();
        for (int i = 0; i < order.size() && budget > 0; i++) {
            TopicPartition partition = order.get((fetchStart + i) % order.size());
            if (paused.contains(partition)) {
                continue;
            }
            fetched.add(partition);
            long position = positions.get(partition);
            long end = readCommitted ? cluster.lastStableOffset(partition) : cluster.logEnd(partition);
            List<SimCluster.Stored> log = cluster.log(partition);
            List<ConsumerRecord<byte[], byte[]>> taken = new ArrayList<>();
            while (position < end && budget > 0) {
                SimCluster.Stored stored = log.get((int) position);
                position++;
                if (readCommitted && stored.aborted()) {
                    continue;
                }
                taken.add(stored.read());
                budget--;
            }
            positions.put(partition, position);
            if (!taken.isEmpty()) {
                out.put(partition, taken);
                world.history().fetched(partition, taken.get(0).offset(), position);
            }
        }
        return out.isEmpty() ? ConsumerRecords.empty() : new ConsumerRecords<>(out, Map.of());
    }

    /** Delivers the answers to asynchronous commits that came in; all of them when {@code all}. */
    private void deliverCommitCallbacks(boolean all) {
        while (!commits.isEmpty() && (all || commits.peekFirst().readyAt <= scheduler.now())) {
            PendingCommit commit = commits.pollFirst();
            Exception error = null;
            if (commit.fails) {
                error = new RetriableCommitFailedException("simulated: the commit request failed");
            } else if (commit.generation != generation) {
                error = new CommitFailedException("simulated: the group rebalanced while the commit was in flight");
            } else {
                cluster.commit(group, commit.offsets, "async");
            }
            commit.callback.onComplete(commit.offsets, error);
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> inOrder(Map<TopicPartition, OffsetAndMetadata> offsets) {
        Map<TopicPartition, OffsetAndMetadata> ordered = new LinkedHashMap<>();
        sorted(offsets.keySet()).forEach(partition -> ordered.put(partition, offsets.get(partition)));
        return ordered;
    }

    private void checkOwned(Map<TopicPartition, OffsetAndMetadata> offsets, String how) {
        for (TopicPartition partition : offsets.keySet()) {
            if (!assignment.contains(partition) || lost.contains(partition)) {
                world.history().violation(how + " commit of " + partition + " at " + offsets.get(partition).offset()
                        + ", which this consumer does not own", null);
            }
        }
    }

    @Override
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
        offsets = inOrder(offsets);
        checkUsable();
        checkWakeupAndInterrupt();
        deliverCommitCallbacks(true);
        if (world.faults().syncCommitFails(random)) {
            throw random.nextBoolean() ? new TimeoutException("simulated: commit timed out")
                    : new CommitFailedException("simulated: commit failed");
        }
        checkOwned(offsets, "synchronous");
        cluster.commit(group, new LinkedHashMap<>(offsets), inRevocation ? "sync-revocation" : "sync");
    }

    @Override
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        commitSync(offsets, Duration.ofSeconds(60));
    }

    @Override
    public void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
        offsets = inOrder(offsets);
        checkUsable();
        checkOwned(offsets, "asynchronous");
        long latency = 1 + random.nextInt(30);
        // The coordinator answers a member's commits in the order they were sent.
        long readyAt = Math.max(scheduler.now() + latency, commits.isEmpty() ? 0 : commits.peekLast().readyAt);
        commits.addLast(new PendingCommit(new LinkedHashMap<>(offsets), callback, readyAt, generation,
                world.faults().asyncCommitFails(random)));
    }

    @Override
    public Set<TopicPartition> assignment() {
        return new TreeSet<>(assignment);
    }

    @Override
    public Set<TopicPartition> paused() {
        return new HashSet<>(paused);
    }

    /**
     * The partitions in partition order: a collection from the engine may be a Set.of, whose order
     * changes from one JVM to the next, and a replay must run exactly as the run it replays.
     */
    private static List<TopicPartition> sorted(Collection<TopicPartition> partitions) {
        List<TopicPartition> sorted = new ArrayList<>(partitions);
        sorted.sort((a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition())
                : a.topic().compareTo(b.topic()));
        return sorted;
    }

    private void requireAssigned(TopicPartition partition, String what) {
        if (!assignment.contains(partition)) {
            throw new IllegalStateException("No current assignment for partition " + partition + " (" + what + ")");
        }
    }

    @Override
    public void pause(Collection<TopicPartition> partitions) {
        checkUsable();
        for (TopicPartition partition : sorted(partitions)) {
            requireAssigned(partition, "pause");
            if (paused.add(partition)) {
                world.history().trace("paused " + partition);
            }
        }
    }

    @Override
    public void resume(Collection<TopicPartition> partitions) {
        checkUsable();
        for (TopicPartition partition : sorted(partitions)) {
            requireAssigned(partition, "resume");
            if (paused.remove(partition)) {
                world.history().trace("resumed " + partition);
            }
        }
    }

    @Override
    public void seek(TopicPartition partition, long offset) {
        checkUsable();
        requireAssigned(partition, "seek");
        setPosition(partition, offset, "seek");
    }

    private void setPosition(TopicPartition partition, long offset, String why) {
        Long before = positions.put(partition, offset);
        fetched.remove(partition);
        world.history().positioned(partition, before == null ? -1 : before, offset, why);
    }

    @Override
    public void seek(TopicPartition partition, OffsetAndMetadata offsetAndMetadata) {
        seek(partition, offsetAndMetadata.offset());
    }

    @Override
    public void seekToBeginning(Collection<TopicPartition> partitions) {
        checkUsable();
        for (TopicPartition partition : sorted(partitions)) {
            requireAssigned(partition, "seekToBeginning");
            setPosition(partition, 0, "reset");
        }
    }

    @Override
    public void seekToEnd(Collection<TopicPartition> partitions) {
        checkUsable();
        for (TopicPartition partition : sorted(partitions)) {
            requireAssigned(partition, "seekToEnd");
            setPosition(partition, cluster.logEnd(partition), "reset");
        }
    }

    @Override
    public long position(TopicPartition partition, Duration timeout) {
        checkUsable();
        requireAssigned(partition, "position");
        Long position = positions.get(partition);
        if (position == null) {
            throw new TimeoutException("simulated: no position yet for " + partition);
        }
        return position;
    }

    @Override
    public long position(TopicPartition partition) {
        return position(partition, Duration.ofSeconds(60));
    }

    @Override
    public OptionalLong currentLag(TopicPartition partition) {
        checkUsable();
        requireAssigned(partition, "currentLag");
        Long position = positions.get(partition);
        if (position == null || !fetched.contains(partition)) {
            return OptionalLong.empty();
        }
        long end = readCommitted ? cluster.lastStableOffset(partition) : cluster.logEnd(partition);
        return OptionalLong.of(Math.max(0, end - position));
    }

    @Override
    public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions, Duration timeout) {
        checkUsable();
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (TopicPartition partition : partitions) {
            ends.put(partition, readCommitted ? cluster.lastStableOffset(partition) : cluster.logEnd(partition));
        }
        return ends;
    }

    @Override
    public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
        return endOffsets(partitions, Duration.ofSeconds(60));
    }

    @Override
    public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions, Duration timeout) {
        checkUsable();
        Map<TopicPartition, Long> starts = new HashMap<>();
        partitions.forEach(partition -> starts.put(partition, 0L));
        return starts;
    }

    @Override
    public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions) {
        return beginningOffsets(partitions, Duration.ofSeconds(60));
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions, Duration timeout) {
        checkUsable();
        Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata offset = cluster.committed(group, partition);
            if (offset != null) {
                committed.put(partition, offset);
            }
        }
        return committed;
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
        return committed(partitions, Duration.ofSeconds(60));
    }

    @Override
    public ConsumerGroupMetadata groupMetadata() {
        return new ConsumerGroupMetadata(group, generation, "member-" + incarnation, Optional.empty());
    }

    @Override
    public void wakeup() {
        wakeup = true;
        wakePoller();
    }

    @Override
    public void close(CloseOptions options) {
        if (closed) {
            return;
        }
        try {
            if (world.isAlive(incarnation) && !assignment.isEmpty() && listener != null) {
                List<TopicPartition> owned = new ArrayList<>(assignment);
                generation++;
                inRevocation = true;
                try {
                    listener.onPartitionsRevoked(owned);
                } finally {
                    inRevocation = false;
                }
            }
        } finally {
            closed = true;
            drop(new ArrayList<>(assignment));
            world.left(this);
        }
    }

    @Override
    public void close(Duration timeout) {
        close(CloseOptions.timeout(timeout));
    }

    @Override
    public void close() {
        close(CloseOptions.timeout(Duration.ofSeconds(30)));
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic, Duration timeout) {
        List<PartitionInfo> infos = new ArrayList<>();
        for (int i = 0; i < cluster.partitions(topic); i++) {
            infos.add(new PartitionInfo(topic, i, null, null, null));
        }
        return infos;
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        return partitionsFor(topic, Duration.ofSeconds(60));
    }

    @Override
    public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> timestamps, Duration timeout) {
        throw notCalled();
    }

    @Override
    public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> timestamps) {
        return offsetsForTimes(timestamps, Duration.ofSeconds(60));
    }

    @Override
    public Set<String> subscription() {
        return topic == null ? Set.of() : Set.of(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        return Map.of();
    }

    // What the engine never calls: a call fails the run at once, so a change that starts calling one
    // is seen in the first schedule, never answered with made-up data.

    private static UnsupportedOperationException notCalled() {
        return new UnsupportedOperationException("the stage engine does not call this consumer method; simulate it"
                + " in SimConsumer before the engine uses it");
    }

    @Override
    public void subscribe(Collection<String> topics) {
        throw notCalled();
    }

    @Override
    public void assign(Collection<TopicPartition> partitions) {
        throw notCalled();
    }

    @Override
    public void subscribe(Pattern pattern, ConsumerRebalanceListener callback) {
        throw notCalled();
    }

    @Override
    public void subscribe(Pattern pattern) {
        throw notCalled();
    }

    @Override
    public void subscribe(SubscriptionPattern pattern, ConsumerRebalanceListener callback) {
        throw notCalled();
    }

    @Override
    public void subscribe(SubscriptionPattern pattern) {
        throw notCalled();
    }

    @Override
    public void unsubscribe() {
        throw notCalled();
    }

    @Override
    public void commitSync() {
        throw notCalled();
    }

    @Override
    public void commitSync(Duration timeout) {
        throw notCalled();
    }

    @Override
    public void commitAsync() {
        throw notCalled();
    }

    @Override
    public void commitAsync(OffsetCommitCallback callback) {
        throw notCalled();
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
        throw notCalled();
    }

    @Override
    public Map<String, List<PartitionInfo>> listTopics() {
        throw notCalled();
    }

    @Override
    public Map<String, List<PartitionInfo>> listTopics(Duration timeout) {
        throw notCalled();
    }

    @Override
    public void enforceRebalance() {
        throw notCalled();
    }

    @Override
    public void enforceRebalance(String reason) {
        throw notCalled();
    }
}
