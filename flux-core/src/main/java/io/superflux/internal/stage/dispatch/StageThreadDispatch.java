package io.superflux.internal.stage.dispatch;

import java.util.Collection;
import java.util.Set;

import org.apache.kafka.common.TopicPartition;

import io.superflux.internal.stage.record.RecordRunner;

/**
 * What the dispatches that call on the stage thread itself ({@link InOrderDispatch},
 * {@link BatchDispatch}) have in common: no thread of their own, nothing that reports back through
 * a queue, and no call running while a revocation or a stop is handled (those come between two
 * calls), so there is nothing to wait for and nothing to overflow.
 */
abstract class StageThreadDispatch implements Dispatch {
    private final RecordRunner<?> runner;

    StageThreadDispatch(RecordRunner<?> runner) {
        this.runner = runner;
    }

    @Override
    public final int running(Collection<TopicPartition> partitions) {
        return 0;
    }

    @Override
    public final int runningTotal() {
        return 0;
    }

    @Override
    public final void interruptCalls() {
        runner.interruptCalls();
    }

    @Override
    public final void close(long timeoutMillis) {
        // no threads of its own
    }

    @Override
    public final boolean busy() {
        return false;
    }

    @Override
    public final boolean full() {
        return false;
    }

    @Override
    public final Set<TopicPartition> backlogged() {
        return Set.of();
    }
}
