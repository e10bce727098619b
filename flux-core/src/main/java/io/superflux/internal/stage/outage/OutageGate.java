package io.superflux.internal.stage.outage;

import java.time.Clock;
import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.superflux.internal.headers.SafeText;
import io.superflux.retry.Stage;
import io.superflux.task.OutageProtection;

/**
 * Outage protection of a main stage ({@link OutageProtection}): whether a record that failed for
 * good goes on to its next stage, or waits because a dependency is down.
 *
 * <ul>
 * <li><b>Closed</b>: every record's final outcome is counted ({@link OutageBreaker}); failed records
 *     go on. When the failures trip the breaker, the gate opens and the tripping record waits.</li>
 * <li><b>Open</b>: no record is taken; records that fail meanwhile (they started before) wait. After
 *     {@code firstProbe} a <em>probe</em> is due: the dispatch chooses it — a waiting record, or the
 *     next record of a held partition, the partitions taking turns — and calls it.</li>
 * <li>A probe that succeeds closes the gate: everything waiting goes on. A probe that fails goes on
 *     to its next stage like any failed record, so a record that fails on its own never holds the
 *     stage, and the next probe follows at once; after {@value #PROBES_PER_ROUND} failed probes in a
 *     row the next round waits twice as long, up to {@code maxProbeInterval}. A probe that ends
 *     otherwise (a bad value, a declared exception) lets the next record probe.</li>
 * </ul>
 *
 * Retry stages have no gate: their records failed already, and waiting is what they do. Stage
 * thread only, except {@link #isOpen} (the gauge).
 */
public final class OutageGate {
    /** Failed probes in a row before the next round waits longer. */
    public static final int PROBES_PER_ROUND = 5;
    private static final Logger log = LoggerFactory.getLogger(OutageGate.class);

    /** What becomes of a record that failed for good. */
    public enum Verdict {
        /** It goes on to its next stage. */
        FORWARD,
        /** It waits: the stage is paused for an outage. */
        WAIT
    }

    private final OutageProtection policy;
    private final OutageBreaker breaker;
    private final Clock clock;
    private final Stage stage;
    private final String taskName;
    private volatile boolean open;
    private long openedAt;
    private long nextProbeAt;
    private long interval;
    private int failedInRound;
    private int probesFailed;
    /** The partition the probe comes from, or null when no probe is chosen. */
    private TopicPartition probePartition;
    /** The probe's offset; -1: the next record admitted from {@link #probePartition}. */
    private long probeOffset = -1;
    private long probeChosenAt;

    public OutageGate(OutageProtection policy, Clock clock, Stage stage, String taskName) {
        this.policy = policy;
        this.breaker = new OutageBreaker(policy);
        this.clock = clock;
        this.stage = stage;
        this.taskName = taskName;
    }

    /** Whether the stage is paused for an outage (any thread). */
    public boolean isOpen() {
        return open;
    }

    /**
     * Open, no probe under way, and the next one's time has come. A probe that has not ended
     * within the longest probe interval — its partition had nothing to read, or its record waits
     * behind another of its key — passes the turn on.
     */
    public boolean probeDue() {
        long now = clock.millis();
        if (open && probePartition != null && now - probeChosenAt >= Math.max(interval, policy.maxProbeInterval().toMillis())) {
            probePartition = null;
        }
        return open && probePartition == null && now >= nextProbeAt;
    }

    /** When the next probe is due (meaningful while open and no probe is chosen). */
    public long nextProbeAt() {
        return nextProbeAt;
    }

    /** The dispatch chose the probe: the record at {@code offset} of {@code partition}, or with -1 the next one read from it. */
    public void probing(TopicPartition partition, long offset) {
        probePartition = partition;
        probeOffset = offset;
        probeChosenAt = clock.millis();
        log.info("{} of {}: probing with {} (outage since {} s, {} probe(s) failed)", stage, taskName,
                offset < 0 ? "the next record of " + partition : partition + "@" + offset,
                (clock.millis() - openedAt) / 1000, probesFailed);
    }

    /** The probe's call is under way (a lane runs it): it does not pass the turn on, however long it takes. */
    public void probeUnderWay() {
        probeChosenAt = clock.millis();
    }

    /** The partition a probe is to come from, or null. */
    public TopicPartition probePartition() {
        return probePartition;
    }

    /** Whether the record at {@code offset} of {@code partition} may be called now; if it is the probe, it is taken as such. */
    public boolean admits(TopicPartition partition, long offset) {
        if (!open) {
            return true;
        }
        if (!partition.equals(probePartition) || probeOffset >= 0 && probeOffset != offset) {
            return false;
        }
        probeOffset = offset;
        return true;
    }

    /** Whether the record at {@code offset} of {@code partition} is the probe. */
    public boolean isProbe(TopicPartition partition, long offset) {
        return open && partition.equals(probePartition) && probeOffset == offset;
    }

    /** A call of the record failed for good (after its in-place attempts). */
    public Verdict failed(TopicPartition partition, long offset, byte[] key, Throwable error) {
        long now = clock.millis();
        if (!open) {
            breaker.record(now, true, keyOf(partition, offset, key));
            if (!breaker.trips(now)) {
                return Verdict.FORWARD;
            }
            open(partition, offset, error, now);
            return Verdict.WAIT;
        }
        if (!isProbe(partition, offset)) {
            return Verdict.WAIT; // it ran while the stage was paused (it started before)
        }
        probePartition = null;
        probesFailed++;
        if (++failedInRound < PROBES_PER_ROUND) {
            nextProbeAt = now;
            log.warn("{} of {}: the probe failed ({}); it goes on to its next stage, another record probes", stage, taskName,
                    SafeText.describe(error));
        } else {
            failedInRound = 0;
            interval = Math.min(policy.maxProbeInterval().toMillis(), interval * 2);
            nextProbeAt = now + interval;
            log.warn("{} of {}: {} probes in a row failed (last: {}); next probe in {} ms", stage, taskName, PROBES_PER_ROUND,
                    SafeText.describe(error), interval);
        }
        return Verdict.FORWARD;
    }

    private void open(TopicPartition partition, long offset, Throwable error, long now) {
        open = true;
        openedAt = now;
        interval = policy.firstProbe().toMillis();
        nextProbeAt = now + interval;
        failedInRound = 0;
        probesFailed = 0;
        probePartition = null;
        log.warn("{} of {}: {}% of the last {} records failed (outage protection: {}% of at least {} within {} s, from at least"
                        + " {} keys); pausing: nothing is taken, forwarded or committed past {}@{}; first probe in {} ms. Last"
                        + " failure: {}", stage, taskName, Math.round(breaker.trippingRate() * 100), breaker.trippingCalls(),
                Math.round(policy.failureRate() * 100), policy.minimumCalls(), policy.window().toSeconds(),
                OutageBreaker.minimumKeys(policy.minimumCalls()), partition, offset, interval, SafeText.describe(error));
    }

    /**
     * What the gate says of a record's final {@code outcome}: false if the record must wait for
     * the outage's end instead of going on. A success may end the outage (then {@code outageOver} runs).
     */
    public boolean goesOn(TopicPartition partition, long offset, byte[] key,
                          io.superflux.internal.stage.record.RecordOutcome outcome, Runnable outageOver) {
        if (outcome.kind() == io.superflux.internal.stage.record.RecordOutcome.Kind.HANDLED) {
            if (succeeded(partition, offset, key)) {
                outageOver.run();
            }
            return true;
        }
        if (outcome.retriableInPlace()) {
            return failed(partition, offset, key, outcome.error()) == Verdict.FORWARD;
        }
        inconclusive(partition, offset); // a bad value, a declared exception, a stop: not the dependency's doing
        return true;
    }

    /** A call of the record succeeded; returns true if that ends the outage (everything waiting goes on). */
    public boolean succeeded(TopicPartition partition, long offset, byte[] key) {
        long now = clock.millis();
        if (!open) {
            breaker.record(now, false, keyOf(partition, offset, key));
            return false;
        }
        if (!isProbe(partition, offset)) {
            return false;
        }
        open = false;
        probePartition = null;
        breaker.clear();
        log.info("{} of {}: the probe succeeded; resuming after an outage of {} s", stage, taskName, (now - openedAt) / 1000);
        return true;
    }

    /** The probe ended with neither a success nor a failed call (a bad value, a declared exception): the next record probes. */
    public void inconclusive(TopicPartition partition, long offset) {
        if (isProbe(partition, offset)) {
            probeOffset = -1;
        }
    }

    /** Revoked, lost or read again: a probe from {@code partitions} is off, and another probes at once. */
    public void forget(Collection<TopicPartition> partitions) {
        if (probePartition != null && partitions.contains(probePartition)) {
            probePartition = null;
            nextProbeAt = Math.min(nextProbeAt, clock.millis());
        }
    }

    private static int keyOf(TopicPartition partition, long offset, byte[] key) {
        return key == null ? Objects.hash(partition.partition(), offset) : Arrays.hashCode(key);
    }
}
