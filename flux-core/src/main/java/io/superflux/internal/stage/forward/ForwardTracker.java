package io.superflux.internal.stage.forward;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.superflux.internal.headers.RetryHeaders;
import io.superflux.internal.stage.ops.StageMeters;
import io.superflux.internal.stage.progress.PartitionProgress;
import io.superflux.internal.stage.progress.StageProgress;
import io.superflux.retry.Stage;

/**
 * The forwards one stage has in flight. It sends them through the {@link Forwarder}, collects
 * their outcomes (reported on Kafka's I/O thread, handled on the stage thread) and completes the
 * records whose forward was acknowledged. A failed forward is sorted ({@link ForwardFailures}):
 * too large with its failure headers — sent once more with them trimmed; permanent — the stage
 * fails with a {@link ForwardRefusedException}; anything else — sent again with growing waits
 * while its partition is held; under exactly-once — the transaction must be aborted.
 *
 * <p>A send that failed at once with a timeout (kafka-clients waited max.block.ms for the topic's
 * metadata or for buffer space on the stage thread) marks its topic unavailable: later forwards
 * to it wait without being sent, and one at a time probes it — whatever becomes of the probe
 * (acknowledged, failed on the I/O thread, its partition revoked, the transaction aborted), the
 * next may follow. An outage thus blocks the stage thread for at most max.block.ms per probe
 * interval, never once per record.
 *
 * <p>Forwards of partitions revoked or lost, or of an aborted transaction, are abandoned: they no
 * longer count, and their outcomes are dropped (their records are read again). Apart from the
 * outcome queue it is owned by the stage thread.
 */
public final class ForwardTracker {
    private static final Logger log = LoggerFactory.getLogger(ForwardTracker.class);
    private static final int MAX_IN_FLIGHT = 10_000;
    private static final long FIRST_RETRY_MS = 100;
    private static final long MAX_RETRY_MS = 10_000;
    private static final long FIRST_PROBE_MS = 1_000;

    /** One forward; {@code trimmed} once its failure headers were shortened. */
    static final class Forward {
        final TopicPartition source;
        final PartitionProgress progress;
        final PartitionProgress.Pending pending;
        final ProducerRecord<byte[], byte[]> record;
        final boolean trimmed;
        /** Not a record's forward but an entry of ordered retries' order topic: not counted as a forward. */
        final boolean orderEntry;
        /** What to do once it is acknowledged (for its partition's current progress), or null. */
        final Runnable delivered;
        boolean abandoned;

        Forward(TopicPartition source, PartitionProgress progress, PartitionProgress.Pending pending,
                ProducerRecord<byte[], byte[]> record, boolean trimmed, boolean orderEntry, Runnable delivered) {
            this.source = source;
            this.progress = progress;
            this.pending = pending;
            this.record = record;
            this.trimmed = trimmed;
            this.orderEntry = orderEntry;
            this.delivered = delivered;
        }
    }

    private record Outcome(Forward forward, Exception error) {
    }

    private record Retry(long at, long sequence, Forward forward) {
    }

    /** A topic whose sends time out on the stage thread: when to probe it again, and the probe out. */
    private static final class Unavailable {
        long retryAt;
        int failures;
        Forward probe;
    }

    private final Forwarder forwarder;
    private final Clock clock;
    private final Stage stage;
    private final StageMeters meters;
    private final ForwardFailures failures;
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Retry> retries = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at)
            : Long.compare(a.sequence, b.sequence));
    private final Map<TopicPartition, List<Forward>> sent = new LinkedHashMap<>();
    private final Map<TopicPartition, Integer> failing = new HashMap<>();
    private final Map<String, Unavailable> unavailable = new LinkedHashMap<>();
    private long sequence;
    private int sentCount;
    /** Exactly-once: a forward of the open transaction failed, so the transaction must be aborted. */
    private boolean abortNeeded;

    public ForwardTracker(Forwarder forwarder, Clock clock, Stage stage, StageMeters meters) {
        this.forwarder = forwarder;
        this.clock = clock;
        this.stage = stage;
        this.meters = meters;
        this.failures = new ForwardFailures(stage);
    }

    /** Forwards {@code record}; {@code pending} completes in {@code progress} once it is acknowledged. */
    public void send(TopicPartition source, PartitionProgress progress, PartitionProgress.Pending pending,
                     ProducerRecord<byte[], byte[]> record) {
        send(source, progress, pending, record, null);
    }

    /**
     * The same; {@code delivered} (or null) runs on the stage thread once the forward is
     * acknowledged, unless its partition was revoked or lost meanwhile.
     */
    public void send(TopicPartition source, PartitionProgress progress, PartitionProgress.Pending pending,
                     ProducerRecord<byte[], byte[]> record, Runnable delivered) {
        send(new Forward(source, progress, pending, record, false, false, delivered));
    }

    /**
     * Writes an entry of the order topic (ordered retries) that the record of {@code pending}
     * waits for, as it waits for a forward: sent again until acknowledged, nothing past it committed.
     */
    public void sendEntry(TopicPartition source, PartitionProgress progress, PartitionProgress.Pending pending,
                          ProducerRecord<byte[], byte[]> entry) {
        sendEntry(source, progress, pending, entry, null);
    }

    /** The same; {@code delivered} (or null) runs once it is acknowledged, unless its partition was revoked meanwhile. */
    public void sendEntry(TopicPartition source, PartitionProgress progress, PartitionProgress.Pending pending,
                          ProducerRecord<byte[], byte[]> entry, Runnable delivered) {
        send(new Forward(source, progress, pending, entry, false, true, delivered));
    }

    private void send(Forward forward) {
        ProducerRecord<byte[], byte[]> record = forward.record;
        if (!mayProbe(forward, clock.millis())) {
            markFailing(forward);
            retries.add(new Retry(Math.max(unavailable.get(record.topic()).retryAt, clock.millis()), sequence++, forward));
            return;
        }
        sendNow(forward);
    }

    /** Whether {@code forward} may be sent now: its topic is available, or it may probe it (and does). */
    private boolean mayProbe(Forward forward, long now) {
        Unavailable topic = unavailable.get(forward.record.topic());
        if (topic == null) {
            return true;
        }
        if (topic.probe != null || topic.retryAt > now) {
            return false;
        }
        topic.probe = forward;
        return true;
    }

    private void sendNow(Forward forward) {
        sent.computeIfAbsent(forward.source, partition -> new ArrayList<>(4)).add(forward);
        sentCount++;
        Exception atOnce = forwarder.send(forward.record, (metadata, error) -> outcomes.add(new Outcome(forward, error)));
        if (atOnce instanceof TimeoutException) {
            // The send waited max.block.ms on this thread (no metadata for the topic, or no buffer
            // space): from now on forwards to it wait without being sent, one probe at a time.
            Unavailable topic = unavailable.computeIfAbsent(forward.record.topic(), t -> new Unavailable());
            topic.failures++;
            topic.probe = null;
            topic.retryAt = clock.millis() + probeDelayAfter(topic.failures);
        }
    }

    /**
     * Completes the acknowledged forwards and deals with the failed ones.
     *
     * @throws ForwardRefusedException if a forward failed in a way no retry can cure
     */
    public void drain(StageProgress current) {
        Outcome outcome;
        while ((outcome = outcomes.poll()) != null) {
            Forward forward = outcome.forward();
            answered(forward, outcome.error());
            if (forward.abandoned || !current.isCurrent(forward.source, forward.progress)) {
                continue;
            }
            if (outcome.error() == null) {
                delivered(forward);
            } else {
                failed(forward, outcome.error());
            }
        }
    }

    /** A forward's outcome came: it is no longer out; if it probed its topic, the next may probe. */
    private void answered(Forward forward, Exception error) {
        if (!forward.abandoned) {
            List<Forward> out = sent.get(forward.source);
            if (out != null && out.remove(forward)) {
                sentCount--;
                if (out.isEmpty()) {
                    sent.remove(forward.source);
                }
            }
        }
        Unavailable topic = unavailable.get(forward.record.topic());
        if (topic != null && topic.probe == forward) {
            topic.probe = null;
            if (error != null) {
                topic.failures++;
                topic.retryAt = clock.millis() + probeDelayAfter(topic.failures);
            }
        }
    }

    private void delivered(Forward forward) {
        PartitionProgress.Pending pending = forward.pending;
        if (pending.forwardAttempts() > 0) {
            failing.computeIfPresent(forward.source, (tp, n) -> n > 1 ? n - 1 : null);
            log.info("{}: forward of {}-{}@{} delivered after {} failed attempt(s)", stage, forward.source.topic(),
                    forward.source.partition(), pending.offset(), pending.forwardAttempts());
        }
        if (unavailable.remove(forward.record.topic()) != null) {
            retryNowEverythingFor(forward.record.topic());
        }
        forward.progress.complete(pending);
        if (!forward.orderEntry) {
            meters.forwarded();
        }
        if (forward.delivered != null) {
            forward.delivered.run();
        }
    }

    private void failed(Forward forward, Exception error) {
        meters.forwardError();
        if (forwarder.transactional() && !ForwardFailures.isPermanent(error)) {
            // A failed send leaves the transaction abortable: it is aborted and the stage reads
            // again from its last commit (nothing of the transaction was ever visible).
            if (!abortNeeded) {
                log.warn("{}: forward of {}-{}@{} to {} failed in a transaction: {}; aborting it and reading again from the"
                        + " last commit", stage, forward.source.topic(), forward.source.partition(), forward.pending.offset(),
                        forward.record.topic(), error.toString());
            }
            abortNeeded = true;
            return;
        }
        // A transaction cannot send it again trimmed (the failed send left it abortable): there a
        // record too large is refused at once.
        if (ForwardFailures.isTooLarge(error) && !forward.trimmed && !forwarder.transactional()) {
            failures.logTrimming(forward.source, forward.pending.offset(), forward.record, error);
            ProducerRecord<byte[], byte[]> record = forward.record;
            sendNow(new Forward(forward.source, forward.progress, forward.pending, new ProducerRecord<>(record.topic(),
                    record.partition(), record.timestamp(), record.key(), record.value(), RetryHeaders.trimmed(record.headers())),
                    true, forward.orderEntry, forward.delivered));
            return;
        }
        if (ForwardFailures.isPermanent(error)) {
            forward.progress.giveUp(forward.pending);
            throw new ForwardRefusedException(failures.refusal(forward.source, forward.pending.offset(), forward.record,
                    forward.trimmed, error), error);
        }
        markFailing(forward);
        long delay = delayAfter(forward.pending.forwardAttempts());
        log.warn("{}: forward of {}-{}@{} to {} failed (attempt {}): {}; retrying in {} ms, the partition is held and"
                        + " nothing past the record is committed", stage, forward.source.topic(), forward.source.partition(),
                forward.pending.offset(), forward.record.topic(), forward.pending.forwardAttempts(), error, delay);
        retries.add(new Retry(clock.millis() + delay, sequence++, forward));
    }

    private void markFailing(Forward forward) {
        if (forward.pending.forwardFailed() == 1) {
            failing.merge(forward.source, 1, Integer::sum);
        }
    }

    /** Sends again the failed forwards whose wait is over; to a topic that is down, one probe at a time. */
    public void resendDue() {
        long now = clock.millis();
        List<Retry> later = new ArrayList<>();
        while (!retries.isEmpty() && retries.peek().at() <= now) {
            Forward forward = retries.poll().forward();
            if (!mayProbe(forward, now)) {
                later.add(new Retry(Math.max(unavailable.get(forward.record.topic()).retryAt, now + FIRST_RETRY_MS), sequence++,
                        forward));
                continue;
            }
            sendNow(forward);
        }
        retries.addAll(later);
    }

    private void retryNowEverythingFor(String topic) {
        long now = clock.millis();
        List<Retry> waiting = new ArrayList<>(retries);
        retries.clear();
        for (Retry retry : waiting) {
            retries.add(retry.forward().record.topic().equals(topic) ? new Retry(now, retry.sequence(), retry.forward()) : retry);
        }
    }

    /** Exactly-once: whether a forward failed and the open transaction must be aborted. */
    public boolean abortNeeded() {
        return abortNeeded;
    }

    /**
     * Exactly-once: the transaction was aborted and every partition will be read again, so every
     * forward out or waiting is abandoned.
     */
    public void aborted() {
        abortNeeded = false;
        sent.values().forEach(forwards -> forwards.forEach(forward -> forward.abandoned = true));
        sent.clear();
        sentCount = 0;
        retries.clear();
        failing.clear();
        unavailable.values().forEach(topic -> topic.probe = null);
        dropIdleTopics();
    }

    /** Forgets revoked or lost partitions: their forwards are abandoned (their next owner redoes them). */
    public void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            failing.remove(partition);
            List<Forward> out = sent.remove(partition);
            if (out != null) {
                out.forEach(forward -> forward.abandoned = true);
                sentCount -= out.size();
            }
        }
        retries.removeIf(retry -> partitions.contains(retry.forward().source));
        for (Unavailable topic : unavailable.values()) {
            if (topic.probe != null && partitions.contains(topic.probe.source)) {
                topic.probe = null;
            }
        }
        dropIdleTopics();
    }

    /** A topic no forward waits for any more is forgotten: the next forward to it finds out afresh. */
    private void dropIdleTopics() {
        unavailable.entrySet().removeIf(entry -> entry.getValue().probe == null
                && retries.stream().noneMatch(retry -> retry.forward().record.topic().equals(entry.getKey())));
    }

    /** Milliseconds until the next resend, at most {@code max}. */
    public long millisUntilNextResend(long max) {
        Retry next = retries.peek();
        return next == null ? max : Math.max(0, Math.min(max, next.at() - clock.millis()));
    }

    /** Forwards sent or waiting to be sent again, not yet acknowledged. */
    public int inFlight() {
        return sentCount + retries.size();
    }

    /** Forwards of {@code partitions} sent and not yet answered: what a revocation or stop waits for. */
    public int sentFor(Collection<TopicPartition> partitions) {
        int count = 0;
        for (TopicPartition partition : partitions) {
            List<Forward> out = sent.get(partition);
            count += out == null ? 0 : out.size();
        }
        return count;
    }

    /** Forwards sent and not yet answered. */
    public int sent() {
        return sentCount;
    }

    /** Whether so many forwards are out that the stage must stop fetching. */
    public boolean overloaded() {
        return inFlight() >= MAX_IN_FLIGHT;
    }

    /** Partitions with a failing forward: held until it is delivered. */
    public Set<TopicPartition> failingPartitions() {
        return failing.keySet();
    }

    /** What it still keeps, by name (all zero once nothing is in flight). */
    public Map<String, Integer> leftovers() {
        Map<String, Integer> left = new LinkedHashMap<>();
        left.put("forwards sent", sentCount);
        left.put("forwards to resend", retries.size());
        left.put("partitions failing a forward", failing.size());
        left.put("topics unavailable", unavailable.size());
        return left;
    }

    private static long delayAfter(int attempts) {
        return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(Math.max(attempts, 1) - 1, 10));
    }

    /** Probes of an unavailable topic block the stage thread: 1 s apart at first, doubling to 10 s. */
    private static long probeDelayAfter(int failures) {
        return Math.min(MAX_RETRY_MS, FIRST_PROBE_MS << Math.min(Math.max(failures, 1) - 1, 10));
    }
}
