package io.superflux.internal.stage;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.superflux.internal.headers.SafeText;
import io.superflux.retry.Stage;
import io.superflux.task.Task;

/**
 * Tells the task which partitions its stage holds: {@link Task#onAssigned} when the stage gets
 * them, {@link Task#onRevoked} once when it gives them back (revoked, lost or at stop). Knows
 * which it gave, so no partition is given back twice or without having been given. Runs on the
 * stage thread.
 */
final class PartitionHooks {
    private static final Logger log = LoggerFactory.getLogger(PartitionHooks.class);

    private final Task<?> task;
    private final Stage stage;
    private final Set<TopicPartition> held = new LinkedHashSet<>();

    PartitionHooks(Task<?> task, Stage stage) {
        this.task = task;
        this.stage = stage;
    }

    /**
     * Gives the task {@code partitions} it does not hold yet.
     *
     * @throws StageFailedException if {@code onAssigned} threw: the stage cannot work them
     */
    void assigned(Collection<TopicPartition> partitions) {
        List<TopicPartition> given = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            if (held.add(partition)) {
                given.add(partition);
            }
        }
        if (given.isEmpty()) {
            return;
        }
        try {
            task.onAssigned(stage, List.copyOf(given));
        } catch (Exception | LinkageError e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            given.forEach(held::remove); // not given: nothing to give back
            throw new StageFailedException(stage + " of " + task.getClass().getSimpleName() + " stopped: onAssigned("
                    + RebalanceHandler.numbers(given) + ") threw " + SafeText.describe(e), e);
        }
    }

    /** Gives {@code partitions} back (those the task holds); false if {@code onRevoked} threw. */
    boolean revoked(Collection<TopicPartition> partitions) {
        List<TopicPartition> back = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            if (held.remove(partition)) {
                back.add(partition);
            }
        }
        if (back.isEmpty()) {
            return true;
        }
        try {
            task.onRevoked(stage, List.copyOf(back));
            return true;
        } catch (Exception | LinkageError e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.warn("{}: onRevoked({}) of {} threw {}: their last records are not committed; their next owner reads them"
                    + " again", stage, RebalanceHandler.numbers(back), task.getClass().getSimpleName(), SafeText.describe(e), e);
            return false;
        }
    }

    /** The partitions the task holds now. */
    Set<TopicPartition> held() {
        return Set.copyOf(held);
    }
}
