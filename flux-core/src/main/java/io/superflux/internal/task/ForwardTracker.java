package io.superflux.internal.task;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.superflux.retry.Stage;

/**
 * The forwards one stage has in flight. It sends them through the shared {@link Forwarder},
 * collects their outcomes (reported from Kafka's I/O thread, handled on the reactor thread) and
 * completes the records whose forward was acknowledged. A failed forward is sorted:
 *
 * <ul>
 * <li><b>Too large</b> with its failure headers: sent once more with them trimmed
 *     ({@link RetryHeaders#trimmed}).</li>
 * <li><b>Permanent</b> — still too large, not authorized, an invalid topic: no retry can cure it,
 *     so the stage fails with a {@link ForwardRefusedException} naming the record, the topic and
 *     what to fix. Nothing past the record is committed; a restart after the fix forwards it.</li>
 * <li><b>Anything else</b> (timeouts, leaders moving, brokers down): sent again with growing waits
 *     (100 ms doubling to 10 s) while its partition is held, each attempt logged and counted.</li>
 * </ul>
 *
 * A send that timed out on the calling thread (the topic is missing, or the buffer full) marks
 * its topic unavailable: later forwards to it wait without being sent, and one at a time probes
 * it, so an outage blocks the poll thread for at most the forwarder's {@code max.block.ms} per
 * retry interval, never once per record. Apart from the outcome queue it is owned by the reactor
 * thread.
 */
final class ForwardTracker {
    private static final Logger log = LoggerFactory.getLogger(StageReactor.class);
    private static final int MAX_IN_FLIGHT = 10_000;
    private static final long FIRST_RETRY_MS = 100;
    private static final long MAX_RETRY_MS = 10_000;
    private static final long FIRST_PROBE_MS = 1_000;

    /** One forward; {@code trimmed} once its failure headers were shortened. */
    private record Forward(TopicPartition source, PartitionProgress progress, PartitionProgress.Pending pending,
                           ProducerRecord<byte[], byte[]> record, boolean trimmed) {
    }

    /** What became of one send: error is null on success. */
    private record Outcome(Forward forward, Exception error) {
    }

    /** A forward waiting to be sent (again). */
    private record Retry(long at, Forward forward) {
    }

    /** A topic whose sends time out: when to try it again, and whether a probe is out. */
    private static final class Unavailable {
        long retryAt;
        int failures;
        boolean probing;
    }

    private final Forwarder forwarder;
    private final Clock clock;
    private final Stage stage;
    private final StageMeters meters;
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Retry> retries = new PriorityQueue<>((a, b) -> Long.compare(a.at(), b.at()));
    private final Map<TopicPartition, Integer> failing = new HashMap<>();
    private final Map<String, Unavailable> unavailable = new HashMap<>();
    private int inFlight;
    /** Exactly-once: a forward of the open transaction failed, so the transaction must be aborted. */
    private boolean abortNeeded;

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
        Forward forward = new Forward(source, progress, pending, record, false);
        Unavailable topic = unavailable.get(record.topic());
        if (topic != null) {
            markFailing(forward);
            retries.add(new Retry(Math.max(topic.retryAt, clock.millis()), forward)); // no send while the topic is down
        } else {
            sendNow(forward);
        }
    }

    private void sendNow(Forward forward) {
        Thread sender = Thread.currentThread();
        boolean[] blocked = {false};
        forwarder.send(forward.record(), (metadata, error) -> {
            blocked[0] = error instanceof TimeoutException && Thread.currentThread() == sender;
            outcomes.add(new Outcome(forward, error));
        });
        if (blocked[0]) {
            // The send waited max.block.ms on this thread (no metadata for the topic, or no buffer
            // space): from now on forwards to it wait without being sent, one probe at a time.
            Unavailable topic = unavailable.computeIfAbsent(forward.record().topic(), t -> new Unavailable());
            topic.failures++;
            topic.probing = false;
            topic.retryAt = clock.millis() + probeDelayAfter(topic.failures);
        }
    }

    /**
     * Completes the acknowledged forwards and deals with the failed ones. A forward whose
     * partition's progress is no longer {@code current}'s was revoked: its next owner reads the
     * record again.
     *
     * @throws ForwardRefusedException if a forward failed in a way no retry can cure
     */
    void drain(Map<TopicPartition, PartitionProgress> current) {
        Outcome outcome;
        while ((outcome = outcomes.poll()) != null) {
            Forward forward = outcome.forward();
            if (current.get(forward.source()) != forward.progress()) {
                inFlight--;
                continue;
            }
            if (outcome.error() == null) {
                delivered(forward);
            } else {
                failed(forward, outcome.error());
            }
        }
    }

    private void delivered(Forward forward) {
        PartitionProgress.Pending pending = forward.pending();
        if (pending.attempts > 0) {
            failing.computeIfPresent(forward.source(), (tp, n) -> n > 1 ? n - 1 : null);
            log.info("{}: forward of {}-{}@{} delivered after {} failed attempt(s)", stage, forward.source().topic(),
                    forward.source().partition(), pending.offset, pending.attempts);
        }
        if (unavailable.remove(forward.record().topic()) != null) {
            retryNowEverythingFor(forward.record().topic());
        }
        forward.progress().complete(pending);
        inFlight--;
        meters.forwarded();
    }

    private void failed(Forward forward, Exception error) {
        meters.forwardError();
        if (forwarder.transactional() && !isPermanent(error)) {
            // A failed send leaves the transaction abortable: the stage aborts it and reads again
            // from its last commit (nothing of the transaction was ever visible).
            inFlight--;
            if (!abortNeeded) {
                log.warn("{}: forward of {}-{}@{} to {} failed in a transaction: {}; aborting it and reading again from the"
                                + " last commit", stage, forward.source().topic(), forward.source().partition(),
                        forward.pending().offset, forward.record().topic(), error.toString());
            }
            abortNeeded = true;
            return;
        }
        // Exactly-once cannot send it again trimmed (the failed send left the transaction abortable, and
        // reading it again would fail the same way): there a record too large is refused at once.
        if (isTooLarge(error) && !forward.trimmed() && !forwarder.transactional()) {
            log.warn("{}: forward of {}-{}@{} to {} is too large with its failure headers ({} bytes: {}); sending it with"
                            + " them trimmed", stage, forward.source().topic(), forward.source().partition(),
                    forward.pending().offset, forward.record().topic(), sizeOf(forward.record()), error.getMessage());
            ProducerRecord<byte[], byte[]> record = forward.record();
            sendNow(new Forward(forward.source(), forward.progress(), forward.pending(), new ProducerRecord<>(record.topic(),
                    record.partition(), record.timestamp(), record.key(), record.value(), RetryHeaders.trimmed(record.headers())),
                    true));
            return;
        }
        if (isPermanent(error)) {
            inFlight--;
            forward.progress().giveUp(forward.pending());
            throw new ForwardRefusedException(refusal(forward, error), error);
        }
        PartitionProgress.Pending pending = forward.pending();
        markFailing(forward);
        long delay = delayAfter(pending.attempts);
        log.warn("{}: forward of {}-{}@{} to {} failed (attempt {}): {}; retrying in {} ms, the partition is held and"
                        + " nothing past the record is committed", stage, forward.source().topic(), forward.source().partition(),
                pending.offset, forward.record().topic(), pending.attempts, error, delay);
        retries.add(new Retry(clock.millis() + delay, forward));
    }

    private void markFailing(Forward forward) {
        if (++forward.pending().attempts == 1) {
            failing.merge(forward.source(), 1, Integer::sum);
        }
    }

    /** Sends again the failed forwards whose wait is over; to a topic that is down, one probe at a time. */
    void resendDue() {
        long now = clock.millis();
        List<Retry> later = new ArrayList<>();
        while (!retries.isEmpty() && retries.peek().at() <= now) {
            Retry retry = retries.poll();
            Unavailable topic = unavailable.get(retry.forward().record().topic());
            if (topic != null) {
                if (topic.probing || topic.retryAt > now) {
                    later.add(new Retry(Math.max(topic.retryAt, now + FIRST_RETRY_MS), retry.forward()));
                    continue;
                }
                topic.probing = true;
            }
            sendNow(retry.forward());
        }
        retries.addAll(later);
    }

    private void retryNowEverythingFor(String topic) {
        long now = clock.millis();
        List<Retry> waiting = new ArrayList<>(retries);
        retries.clear();
        for (Retry retry : waiting) {
            retries.add(retry.forward().record().topic().equals(topic) ? new Retry(now, retry.forward()) : retry);
        }
    }

    /** Exactly-once: whether a forward failed and the open transaction must be aborted. */
    boolean abortNeeded() {
        return abortNeeded;
    }

    /**
     * Exactly-once: the transaction was aborted and every partition's progress replaced, so the
     * outcomes still to come are dropped by {@link #drain} as those of revoked partitions.
     */
    void aborted() {
        abortNeeded = false;
        inFlight -= retries.size(); // never sent: no outcome will come for them
        retries.clear();
        failing.clear();
        unavailable.clear();
    }

    /** What it still keeps, by name (all zero once nothing is in flight). */
    Map<String, Integer> leftovers() {
        Map<String, Integer> left = new java.util.LinkedHashMap<>();
        left.put("forwards to resend", retries.size());
        left.put("partitions failing a forward", failing.size());
        left.put("topics unavailable", unavailable.size());
        return left;
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
        retries.removeIf(retry -> partitions.contains(retry.forward().source()));
        inFlight -= before - retries.size();
    }

    private static long delayAfter(int attempts) {
        return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(Math.max(attempts, 1) - 1, 10));
    }

    /** Probes of an unavailable topic block the poll thread: 1 s apart at first, doubling to 10 s. */
    private static long probeDelayAfter(int failures) {
        return Math.min(MAX_RETRY_MS, FIRST_PROBE_MS << Math.min(Math.max(failures, 1) - 1, 10));
    }

    private static boolean isTooLarge(Exception error) {
        return error instanceof RecordTooLargeException || error instanceof RecordBatchTooLargeException;
    }

    /** Errors no retry cures: the stage stops instead of retrying them forever. */
    static boolean isPermanent(Exception error) {
        return isTooLarge(error) || error instanceof AuthorizationException || error instanceof AuthenticationException
                || error instanceof InvalidTopicException || error instanceof SerializationException
                || error instanceof UnsupportedVersionException;
    }

    private String refusal(Forward forward, Exception error) {
        String target = forward.record().topic();
        String hint;
        if (isTooLarge(error)) {
            hint = "the record is " + sizeOf(forward.record()) + " bytes " + (forward.trimmed()
                    ? "even with its failure headers trimmed" : "with its failure headers (exactly-once does not trim them)") + ": raise"
                    + " max.message.bytes of topic " + target + " (and, above 1 MiB, max.request.size under"
                    + " flux.producer.properties)";
        } else if (error instanceof AuthorizationException) {
            hint = "grant this client's principal WRITE (and DESCRIBE) on topic " + target;
        } else if (error instanceof AuthenticationException) {
            hint = "check the cluster's credentials";
        } else {
            hint = "retrying cannot cure this error";
        }
        return stage + " cannot forward " + forward.source().topic() + "-" + forward.source().partition() + "@"
                + forward.pending().offset + " to topic " + target + " (" + error.getClass().getSimpleName() + ": "
                + error.getMessage() + "): " + hint + ". Nothing past the record was committed; once this is fixed, a"
                + " restart forwards it";
    }

    private static int sizeOf(ProducerRecord<byte[], byte[]> record) {
        int size = (record.key() == null ? 0 : record.key().length) + (record.value() == null ? 0 : record.value().length);
        for (Header header : record.headers()) {
            size += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }
}
