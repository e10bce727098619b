package io.superflux.internal.stage.dispatch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

import io.superflux.internal.stage.environment.StageTime;
import io.superflux.internal.stage.outage.OutageGate;
import io.superflux.internal.stage.position.DueTimes;
import io.superflux.internal.stage.position.PauseControl;
import io.superflux.internal.stage.progress.PartitionProgress;
import io.superflux.internal.stage.progress.StageProgress;
import io.superflux.internal.stage.record.InPlaceRetries;
import io.superflux.internal.stage.record.RecordRunner;

/**
 * Key-ordered concurrency ({@code concurrency(K)}, K &gt; 1): each record is a {@link LaneJob} on
 * a {@link KeyOrderedExecutor} — the records of one key one after the other in offset order,
 * different keys in parallel. A job that must wait (its next in-place attempt, a retry-later
 * wait, an outage) suspends: only its key waits, its lane serves other keys. Jobs report on a
 * queue that the stage thread drains ({@link #collect}): it carries out final outcomes, asks the
 * outage gate, resumes waits whose time came, and parks the records that fail during an outage —
 * their key stays blocked, so no later record of the key overtakes them — until a probe or the
 * outage's end.
 *
 * <p>When partitions are revoked or lost, or the stage stops, their waits and parked records end
 * at once (left uncommitted, read again by whoever reads next) and their queued records are not
 * started — except those below a record already started, which the commit needs to cover what
 * finished after them. It bounds what is in flight: at max(1000, 50 × K) records every partition
 * stops fetching, and fetches again below half that.
 */
public final class LaneDispatch implements Dispatch {
    /** A job's report: it has a final outcome, or it waits until {@code until}. */
    private record Report(LaneJob job, long until) {
        static final long NONE = -1;
    }

    private final KeyOrderedExecutor executor;
    private final RecordRunner<?> runner;
    private final InPlaceRetries inPlace;
    private final DueTimes dueTimes;
    private final PauseControl pauses;
    private final FinalOutcomes outcomes;
    private final OutageGate gate;
    private final StageProgress progress;
    private final StageTime time;
    private final BooleanSupplier halted;
    private final OutageProbes probes;
    private final int maxInFlight;
    private final ConcurrentLinkedQueue<Report> reports = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Report> waits = new PriorityQueue<>((a, b) -> a.until != b.until ? Long.compare(a.until, b.until)
            : Long.compare(a.job.sequence, b.job.sequence));
    /** Jobs that failed during an outage, oldest first: their keys wait for a probe or the outage's end. */
    private final List<LaneJob> parked = new ArrayList<>();
    /** Per partition, the jobs handed on that have not reported yet (running, queued, or in a wait). */
    private final Map<TopicPartition, Integer> running = new HashMap<>();
    /** The job last chosen as the outage probe (its call may take longer than a probe interval). */
    private LaneJob probeJob;
    private volatile boolean stopping;
    private volatile int inFlight;
    private long sequence;
    private boolean full;

    public LaneDispatch(ExecutorService lanes, int concurrency, RecordRunner<?> runner, InPlaceRetries inPlace,
                        DueTimes dueTimes, PauseControl pauses, FinalOutcomes outcomes, StageProgress progress,
                        StageTime time, BooleanSupplier halted) {
        this.executor = new KeyOrderedExecutor(lanes);
        this.runner = runner;
        this.inPlace = inPlace;
        this.dueTimes = dueTimes;
        this.pauses = pauses;
        this.outcomes = outcomes;
        this.gate = outcomes.gate();
        this.progress = progress;
        this.time = time;
        this.halted = halted;
        this.probes = new OutageProbes(gate, pauses, progress);
        this.maxInFlight = Math.max(1_000, 50 * concurrency);
    }

    @Override
    public void dispatch(ConsumerRecords<byte[], byte[]> records) {
        OutageProbes.seen(records, progress);
        for (TopicPartition partition : records.partitions()) {
            PartitionProgress partitionProgress = progress.get(partition);
            if (partitionProgress == null || pauses.isHeld(partition)) {
                continue;
            }
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                if (halted.getAsBoolean()) {
                    return;
                }
                if (!offer(partition, partitionProgress, record)) {
                    break;
                }
            }
        }
    }

    private boolean offer(TopicPartition partition, PartitionProgress partitionProgress, ConsumerRecord<byte[], byte[]> record) {
        long due = dueTimes == null ? record.timestamp() : dueTimes.of(record);
        if (dueTimes != null && due > time.millis()) {
            pauses.hold(partition, record.offset(), PauseControl.Reason.DUE, due);
            return false;
        }
        partitionProgress.startingDue(due);
        if (gate != null && !gate.admits(partition, record.offset())) {
            pauses.hold(partition, record.offset(), PauseControl.Reason.OUTAGE, PauseControl.UNTIL_RELEASED);
            return false;
        }
        LaneJob job = new LaneJob(this, partition, partitionProgress, partitionProgress.started(record.offset()), record,
                sequence++);
        if (gate != null && gate.isProbe(partition, record.offset())) {
            job.probe(); // the stage is paused for an outage, and this record is admitted as its probe
            probeJob = job;
        }
        running.merge(partition, 1, Integer::sum);
        inFlight++;
        if (inFlight >= maxInFlight) {
            full = true;
        }
        executor.submit(record.key(), job);
        return true;
    }

    // ---- called on lane threads by the jobs ----

    RecordRunner<?> runner() {
        return runner;
    }

    InPlaceRetries inPlace() {
        return inPlace;
    }

    StageTime time() {
        return time;
    }

    boolean stopping() {
        return stopping;
    }

    /** Whether the stage is paused for an outage: a job that was not chosen as the probe calls nothing (any thread). */
    boolean pausedForOutage() {
        return gate != null && gate.isOpen();
    }

    /** Whether a job must wait for the gate's verdict after a failed call. */
    boolean hasGate() {
        return gate != null;
    }

    void reportOutcome(LaneJob job) {
        reports.add(new Report(job, Report.NONE));
    }

    void reportWait(LaneJob job, long until) {
        reports.add(new Report(job, until));
    }

    // ---- the stage thread ----

    @Override
    public void collect() {
        Report report;
        while ((report = reports.poll()) != null) {
            LaneJob job = report.job();
            if (report.until() != Report.NONE) {
                if (ending(job)) {
                    job.resumeWith(LaneJob.Command.LEAVE, executor);
                } else {
                    waits.add(report);
                }
                continue;
            }
            running.computeIfPresent(job.partition, (p, n) -> n > 1 ? n - 1 : null);
            carryOut(job);
        }
        long now = time.millis();
        while (!waits.isEmpty() && waits.peek().until() <= now) {
            waits.poll().job().resumeWith(LaneJob.Command.TRY, executor);
        }
        if (full && inFlight < maxInFlight / 2) {
            full = false;
        }
    }

    /** Whether the job's record must be left now: its partition is revoked, or the stage stops. */
    private boolean ending(LaneJob job) {
        return stopping || job.progress.revoked() || !progress.isCurrent(job.partition, job.progress);
    }

    private void carryOut(LaneJob job) {
        boolean current = progress.isCurrent(job.partition, job.progress);
        if (job.awaitsVerdict()) {
            // a failed call: it goes on, or its key waits for the outage's end
            if (!current || ending(job)) {
                inFlight--;
                job.progress.giveUp(job.pending);
                job.resumeWith(LaneJob.Command.RELEASE, executor);
                return;
            }
            if (job.outcome() == null) {
                if (gate.isOpen()) {
                    parked.add(job); // it reached its lane while the stage was paused
                } else {
                    tryAgain(job); // the outage ended meanwhile
                }
                return;
            }
            if (!outcomes.goesOn(job.partition, job.record, job.outcome(), this::outageOver)) {
                parked.add(job);
                return;
            }
            job.resumeWith(LaneJob.Command.RELEASE, executor);
        } else if (current) {
            outcomes.goesOn(job.partition, job.record, job.outcome(), this::outageOver); // a success may end an outage
        }
        inFlight--;
        if (current) {
            outcomes.apply(job.partition, job.progress, job.pending, job.record, job.outcome());
        }
    }

    /** A job that reported (parked, or the probe) tries its record again: it runs again. */
    private void tryAgain(LaneJob job) {
        running.merge(job.partition, 1, Integer::sum);
        job.resumeWith(LaneJob.Command.TRY, executor);
    }

    private void outageOver() {
        for (LaneJob job : parked) {
            tryAgain(job); // in the order they were parked: a key's records stay in order
        }
        parked.clear();
        pauses.releaseAll(PauseControl.Reason.OUTAGE);
    }

    @Override
    public void probe() {
        if (probeJob != null && probeJob.calling() && gate.isProbe(probeJob.partition, probeJob.record.offset())) {
            gate.probeUnderWay(); // a slow call is still the probe
        }
        if (!probes.due()) {
            return;
        }
        if (parked.isEmpty()) {
            probes.probeIfDue();
            return;
        }
        LaneJob job = parked.remove(0);
        gate.probing(job.partition, job.record.offset());
        gate.admits(job.partition, job.record.offset());
        job.probe();
        probeJob = job;
        tryAgain(job);
    }

    @Override
    public int running(Collection<TopicPartition> partitions) {
        int count = 0;
        for (TopicPartition partition : partitions) {
            count += running.getOrDefault(partition, 0);
        }
        return count;
    }

    @Override
    public void revoke(Collection<TopicPartition> partitions) {
        end(job -> partitions.contains(job.partition));
    }

    @Override
    public void stop() {
        stopping = true;
        end(job -> true);
    }

    /** Ends the waits and the parked records that {@code which} names: they are left uncommitted. */
    private void end(Predicate<LaneJob> which) {
        for (Iterator<Report> it = waits.iterator(); it.hasNext(); ) {
            LaneJob job = it.next().job();
            if (which.test(job)) {
                it.remove();
                job.resumeWith(LaneJob.Command.LEAVE, executor);
            }
        }
        for (Iterator<LaneJob> it = parked.iterator(); it.hasNext(); ) {
            LaneJob job = it.next();
            if (which.test(job)) {
                it.remove();
                inFlight--;
                job.progress.giveUp(job.pending);
                job.resumeWith(LaneJob.Command.RELEASE, executor);
            }
        }
    }

    @Override
    public void forget(Collection<TopicPartition> partitions) {
        // their jobs still out report later (and are counted until then: a stop waits for them too)
    }

    @Override
    public int runningTotal() {
        int count = 0;
        for (int jobs : running.values()) {
            count += jobs;
        }
        return count;
    }

    @Override
    public void interruptCalls() {
        runner.interruptCalls();
        executor.interruptAll();
    }

    @Override
    public void close(long timeoutMillis) {
        try {
            executor.shutdown(Duration.ofMillis(timeoutMillis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean busy() {
        return inFlight > 0;
    }

    @Override
    public boolean full() {
        return full;
    }

    @Override
    public Set<TopicPartition> backlogged() {
        Set<TopicPartition> backlogged = null;
        for (Map.Entry<TopicPartition, PartitionProgress> entry : progress.all().entrySet()) {
            if (entry.getValue().uncommittable() >= maxInFlight) {
                if (backlogged == null) {
                    backlogged = new HashSet<>();
                }
                backlogged.add(entry.getKey());
            }
        }
        return backlogged == null ? Set.of() : backlogged;
    }

    @Override
    public long millisUntilNextWake(long max) {
        Report next = waits.peek();
        return next == null ? max : Math.max(0, Math.min(max, next.until() - time.millis()));
    }

    @Override
    public int inFlight() {
        return inFlight;
    }

    @Override
    public Map<String, Integer> leftovers() {
        Map<String, Integer> left = new LinkedHashMap<>();
        left.put("records on lanes", inFlight);
        left.put("lane waits", waits.size());
        left.put("parked records", parked.size());
        left.put("keys busy", executor.busyKeys());
        return left;
    }
}
