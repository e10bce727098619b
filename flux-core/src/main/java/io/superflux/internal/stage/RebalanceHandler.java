package io.superflux.internal.stage;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.superflux.internal.stage.forward.ForwardRefusedException;

/**
 * What a stage does when its group moves partitions, the same for both commit strategies:
 *
 * <ul>
 * <li><b>Revoked</b>: the partitions' waits end and their queued records are not started; the
 *     calls and forwards of theirs under way are waited for, at most the revocation budget (well
 *     inside the rebalance timeout); what is complete is committed; the rest is forgotten — their
 *     next owner reads it again.</li>
 * <li><b>Lost</b> (the member was expelled): the same without a commit, which the group would
 *     refuse; under exactly-once an open transaction with work of theirs is aborted.</li>
 * <li><b>Assigned</b>: each partition starts afresh; its records are simply read again.</li>
 * </ul>
 * Runs on the stage thread, inside poll (and inside close).
 */
final class RebalanceHandler implements ConsumerRebalanceListener {
    private static final Logger log = LoggerFactory.getLogger(RebalanceHandler.class);
    /** A revocation during close: the final commit was just made, this is at most a second try. */
    private static final long COMMIT_WHILE_CLOSING_MS = 5_000;
    /** Ordered retries read the committed offsets of assigned partitions: where their holds' leaders are read again. */
    private static final java.time.Duration ORDER_RESTORE_TIMEOUT = java.time.Duration.ofSeconds(30);

    private final StageParts parts;
    private final Settling settling;
    private final BooleanSupplier closing;
    private final Consumer<Throwable> fail;

    /** {@code closing}: the stage is closing its consumer; {@code fail} stops the stage with an error. */
    RebalanceHandler(StageParts parts, Settling settling, BooleanSupplier closing, Consumer<Throwable> fail) {
        this.parts = parts;
        this.settling = settling;
        this.closing = closing;
        this.fail = fail;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        if (closing.getAsBoolean()) { // leaving the group at the end: everything was settled and committed
            try {
                parts.commits().commitNow(partitions, COMMIT_WHILE_CLOSING_MS);
            } finally {
                forget(partitions);
            }
            return;
        }
        long budget = parts.settings().revocationBudget().toMillis();
        long deadline = parts.environment().time().nanos() + budget * 1_000_000;
        parts.progress().revoke(partitions);
        parts.dispatch().revoke(partitions);
        try {
            if (!settling.settle(partitions, deadline)) {
                log.warn("{}: {} record(s) of revoked partitions {} still in flight after {} ms: not committed, their next"
                        + " owner reads them again", parts.stage(), parts.dispatch().running(partitions)
                        + parts.forwards().sentFor(partitions), numbers(partitions), budget);
            }
        } catch (ForwardRefusedException e) {
            fail.accept(e); // the loop ends after this poll; the rebalance itself goes on
        }
        giveBack(partitions);
        long left = Math.max(0, (deadline - parts.environment().time().nanos()) / 1_000_000);
        parts.commits().commitNow(partitions, left);
        forget(partitions);
        log.info("{}: partitions revoked: {}", parts.stage(), numbers(partitions));
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        parts.progress().lose(partitions);
        parts.dispatch().revoke(partitions);
        parts.commits().lost(partitions);
        parts.hooks().revoked(partitions); // nothing of theirs can be committed, whatever it says
        forget(partitions);
        log.warn("{}: partitions lost (not committed): {}", parts.stage(), numbers(partitions));
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            parts.progress().restart(partition);
        }
        parts.status().assigned(parts.progress().size());
        parts.rest().wake(parts.environment().time().millis()); // their records may be due: fetch them now, not after a rest
        log.info("{}: assigned partitions {}", parts.stage(), numbers(parts.consumer().assignment()));
        try {
            if (parts.order() != null) { // the holds before any record: a held key's records are parked
                Map<TopicPartition, Long> committed = new HashMap<>();
                parts.consumer().committed(new HashSet<>(partitions), ORDER_RESTORE_TIMEOUT).forEach((partition, offset) -> {
                    if (offset != null) {
                        committed.put(partition, offset.offset());
                    }
                });
                parts.order().assigned(partitions, committed);
            }
            parts.hooks().assigned(partitions);
        } catch (StageFailedException e) {
            fail.accept(e); // the loop ends after this poll and calls none of their records
        }
    }

    /**
     * Gives {@code partitions} back to the task ({@code onRevoked}) before their last commit; if
     * it throws, nothing more of theirs is committed (exactly-once: the open transaction, which
     * may hold their forwards, is aborted), so their next owner reads those records again.
     */
    void giveBack(Collection<TopicPartition> partitions) {
        if (!parts.hooks().revoked(partitions)) {
            parts.commits().lost(partitions);
            parts.progress().remove(partitions);
        }
    }

    /** Forgets what every part keeps of {@code partitions}. */
    private void forget(Collection<TopicPartition> partitions) {
        parts.progress().remove(partitions);
        parts.pauses().forget(partitions);
        parts.forwards().forget(partitions);
        parts.dispatch().forget(partitions);
        if (parts.order() != null) {
            parts.order().forget(partitions);
        }
        if (parts.gate() != null) {
            parts.gate().forget(partitions);
        }
        parts.status().revoked(parts.progress().size());
    }

    static TreeSet<Integer> numbers(Collection<TopicPartition> partitions) {
        TreeSet<Integer> numbers = new TreeSet<>();
        partitions.forEach(partition -> numbers.add(partition.partition()));
        return numbers;
    }
}
