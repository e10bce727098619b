package io.superflux.internal.stage;

import java.util.Collection;
import java.util.function.Consumer;

import org.apache.kafka.common.TopicPartition;

import io.superflux.internal.stage.forward.ForwardRefusedException;

/**
 * Waits, for a revocation or a stop, until no record of some partitions is running on a lane or
 * being forwarded, carrying out what finishes meanwhile. It waits for nothing that cannot finish
 * there: waits and parked records were ended before, and a forward waiting to be sent again is
 * not sent. A forward refused meanwhile fails the stage, and the waiting goes on.
 */
final class Settling {
    private final StageParts parts;
    private final Consumer<Throwable> fail;

    Settling(StageParts parts, Consumer<Throwable> fail) {
        this.parts = parts;
        this.fail = fail;
    }

    /** Whether everything of {@code partitions} (null: of any partition) settled before {@code deadlineNanos}. */
    boolean settle(Collection<TopicPartition> partitions, long deadlineNanos) {
        while (true) {
            parts.dispatch().collect();
            try {
                parts.forwards().drain(parts.progress());
            } catch (ForwardRefusedException e) {
                fail.accept(e);
            }
            int out = partitions == null ? parts.dispatch().runningTotal() + parts.forwards().sent()
                    : parts.dispatch().running(partitions) + parts.forwards().sentFor(partitions);
            if (parts.order() != null) {
                try {
                    out += parts.order().settleWrites(partitions);
                } catch (ForwardRefusedException e) {
                    fail.accept(e);
                }
            }
            if (out == 0) {
                return true;
            }
            if (parts.environment().time().nanos() >= deadlineNanos) {
                return false;
            }
            try {
                parts.environment().time().sleep(1);
            } catch (InterruptedException e) {
                return false;
            }
        }
    }
}
