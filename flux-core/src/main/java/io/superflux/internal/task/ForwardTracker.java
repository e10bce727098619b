package io.superflux.internal.task;

import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.superflux.retry.Stage;

/**
 * The forwards one stage has in flight. It sends them through the shared {@link Forwarder},
 * collects their outcomes (reported from Kafka's I/O thread, handled on the reactor thread),
 * completes the records whose forward was acknowledged, and sends failed ones again with growing
 * waits (100 ms doubling to 10 s) while their partition is held. Apart from the outcome queue it is
 * owned by the reactor thread.
 */
final class ForwardTracker {
    private static final Logger log = LoggerFactory.getLogger(StageReactor.class);
    private static final int MAX_IN_FLIGHT = 10_000;
    private static final long FIRST_RETRY_MS = 100;
    private static final long MAX_RETRY_MS = 10_000;

    /** One forward: error is null until it failed. */
    private record Outcome(TopicPartition source, PartitionProgress progress, PartitionProgress.Pending pending,
                           ProducerRecord<byte[], byte[]> record, Exception error) {
    }

    /** A failed forward waiting to be sent again. */
    private record Retry(long at, Outcome failed) {
    }

    private final Forwarder forwarder;
    private final Clock clock;
    private final Stage stage;
    private final StageMeters meters;
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Retry> retries = new PriorityQueue<>((a, b) -> Long.compare(a.at(), b.at()));
    private final Map<TopicPartition, Integer> failing = new HashMap<>();
    private int inFlight;

    ForwardTracker(Forwarder forwarder, Clock clock, Stage stage, StageMeters meters) {
        this.forwarder = forwarder;
        this.clock = clock;
        this.stage = stage;
        this.meters = meters;
    }

    /** Forwards {@code record}; {@code pending} completes in {@code progress} once it is acknowledged. */
    void send(TopicPartition source, PartitionProgress progress, PartitionProgress.Pending pending,
              ProducerRecord<byte[], byte[]> record) {
        inFlight++;
        sendNow(new Outcome(source, progress, pending, record, null));
    }

    private void sendNow(Outcome forward) {
        forwarder.send(forward.record(), (metadata, error) -> outcomes.add(
                new Outcome(forward.source(), forward.progress(), forward.pending(), forward.record(), error)));
    }

    /**
     * Completes the acknowledged forwards and schedules the failed ones again. A forward whose
     * partition's progress is no longer {@code current}'s was revoked: its next owner reads the
     * record again.
     */
    void drain(Map<TopicPartition, PartitionProgress> current) {
        Outcome outcome;
        while ((outcome = outcomes.poll()) != null) {
            if (current.get(outcome.source()) != outcome.progress()) {
                inFlight--;
                continue;
            }
            PartitionProgress.Pending pending = outcome.pending();
            if (outcome.error() == null) {
                if (pending.attempts > 0) {
                    failing.computeIfPresent(outcome.source(), (tp, n) -> n > 1 ? n - 1 : null);
                    log.info("{}: forward of {}-{}@{} delivered after {} failed attempt(s)", stage,
                            outcome.source().topic(), outcome.source().partition(), pending.offset, pending.attempts);
                }
                outcome.progress().complete(pending);
                inFlight--;
                meters.forwarded();
            } else {
                pending.attempts++;
                if (pending.attempts == 1) {
                    failing.merge(outcome.source(), 1, Integer::sum);
                }
                meters.forwardError();
                long delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(pending.attempts - 1, 10));
                log.warn("{}: forward of {}-{}@{} to {} failed (attempt {}): {}; retrying in {} ms, the partition is"
                                + " held and nothing past the record is committed", stage, outcome.source().topic(),
                        outcome.source().partition(), pending.offset, outcome.record().topic(), pending.attempts,
                        outcome.error().toString(), delay);
                retries.add(new Retry(clock.millis() + delay, outcome));
            }
        }
    }

    /** Sends again the failed forwards whose wait is over. */
    void resendDue() {
        long now = clock.millis();
        while (!retries.isEmpty() && retries.peek().at() <= now) {
            sendNow(retries.poll().failed());
        }
    }

    /** Milliseconds until the next resend, at most {@code max}. */
    long millisUntilNextResend(long max) {
        Retry next = retries.peek();
        return next == null ? max : Math.max(0, Math.min(max, next.at() - clock.millis()));
    }

    /** Forwards sent or waiting to be sent again, not yet acknowledged. */
    int inFlight() {
        return inFlight;
    }

    /** Whether so many forwards are out that the stage must stop fetching. */
    boolean overloaded() {
        return inFlight >= MAX_IN_FLIGHT;
    }

    /** Partitions with a failing forward: held until it is delivered. */
    Set<TopicPartition> failingPartitions() {
        return failing.keySet();
    }

    /** Forgets revoked partitions: their forwards waiting to be resent are dropped (the next owner redoes them). */
    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(failing::remove);
        int before = retries.size();
        retries.removeIf(retry -> partitions.contains(retry.failed().source()));
        inFlight -= before - retries.size();
    }
}
