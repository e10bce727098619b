package io.superflux.internal.stage.order;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.superflux.internal.stage.forward.ForwardFailures;
import io.superflux.internal.stage.forward.ForwardRefusedException;
import io.superflux.internal.stage.forward.Forwarder;

/**
 * The writes of a release that no input offset waits for: a released record forwarded as its
 * key's new leader, then the entries that say so; the tombstones of what was released. Each may
 * carry what to do once it is acknowledged; a failed one is sent again with growing waits. The
 * writes of a partition revoked or lost are abandoned: whoever owns it next restores it from the
 * order topic, and every step of a release may be taken twice (a released record called again),
 * never skipped. Outcomes arrive on Kafka's I/O thread and are carried out on the stage thread.
 */
final class OrderWrites {
    private static final Logger log = LoggerFactory.getLogger(OrderWrites.class);
    private static final long FIRST_RETRY_MS = 100;
    private static final long MAX_RETRY_MS = 10_000;

    private record Write(TopicPartition partition, int incarnation, ProducerRecord<byte[], byte[]> record, Runnable acknowledged,
                         int attempts) {
    }

    private record Answer(Write write, Exception error) {
    }

    private record Retry(long at, long sequence, Write write) {
    }

    private final Forwarder forwarder;
    private final Clock clock;
    private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Retry> retries = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at)
            : Long.compare(a.sequence, b.sequence));
    private final Map<TopicPartition, Integer> incarnations = new HashMap<>();
    private final Map<TopicPartition, Integer> outByPartition = new HashMap<>();
    private long sequence;
    private int out;

    OrderWrites(Forwarder forwarder, Clock clock) {
        this.forwarder = forwarder;
        this.clock = clock;
    }

    /** Sends {@code record} for {@code partition}; {@code acknowledged} (or null) runs on the stage thread once it is. */
    void send(TopicPartition partition, ProducerRecord<byte[], byte[]> record, Runnable acknowledged) {
        sendNow(new Write(partition, incarnations.getOrDefault(partition, 0), record, acknowledged, 0));
    }

    private void sendNow(Write write) {
        out++;
        outByPartition.merge(write.partition(), 1, Integer::sum);
        forwarder.send(write.record(), (metadata, error) -> answers.add(new Answer(write, error)));
    }

    /**
     * Carries out what was acknowledged, schedules what failed again.
     *
     * @throws ForwardRefusedException if a write failed in a way no retry can cure
     */
    void drain() {
        Answer answer;
        while ((answer = answers.poll()) != null) {
            out--;
            Write write = answer.write();
            outByPartition.computeIfPresent(write.partition(), (p, n) -> n > 1 ? n - 1 : null);
            if (write.incarnation() != incarnations.getOrDefault(write.partition(), 0)) {
                continue; // its partition was revoked meanwhile
            }
            if (answer.error() == null) {
                if (write.acknowledged() != null) {
                    write.acknowledged().run();
                }
            } else if (ForwardFailures.isPermanent(answer.error())) {
                throw new ForwardRefusedException("ordered retries: a write to " + write.record().topic() + " was refused: "
                        + answer.error(), answer.error());
            } else {
                long delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(write.attempts(), 10));
                log.warn("ordered retries: a write to {}-{} failed (attempt {}): {}; retrying in {} ms", write.record().topic(),
                        write.record().partition(), write.attempts() + 1, answer.error().toString(), delay);
                retries.add(new Retry(clock.millis() + delay, sequence++, new Write(write.partition(), write.incarnation(),
                        write.record(), write.acknowledged(), write.attempts() + 1)));
            }
        }
    }

    /** Sends again what failed and waited its time. */
    void resendDue() {
        long now = clock.millis();
        List<Write> due = new ArrayList<>();
        while (!retries.isEmpty() && retries.peek().at() <= now) {
            due.add(retries.poll().write());
        }
        for (Write write : due) {
            if (write.incarnation() == incarnations.getOrDefault(write.partition(), 0)) {
                sendNow(write);
            }
        }
    }

    /** Abandons the writes of {@code partitions}. */
    void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            incarnations.merge(partition, 1, Integer::sum);
        }
        retries.removeIf(retry -> partitions.contains(retry.write().partition()));
    }

    /** Milliseconds until the next resend, at most {@code max}. */
    long millisUntilNextResend(long max) {
        Retry next = retries.peek();
        return next == null ? max : Math.max(0, Math.min(max, next.at() - clock.millis()));
    }

    /** Writes sent and not answered, or waiting to be sent again. */
    int inFlight() {
        return out + retries.size();
    }

    /** Writes of {@code partitions} sent and not answered: what a revocation waits for. */
    int sentFor(Collection<TopicPartition> partitions) {
        int count = 0;
        for (TopicPartition partition : partitions) {
            count += outByPartition.getOrDefault(partition, 0);
        }
        return count;
    }

    /** Writes sent and not answered, also of partitions forgotten (they may still be written). */
    int sent() {
        return out;
    }
}
