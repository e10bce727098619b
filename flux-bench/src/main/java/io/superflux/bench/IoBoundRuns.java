package io.superflux.bench;

import io.superflux.bench.measure.Measurement;
import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/**
 * {@code io-bound}: 5 ms of waiting per record, 1,000 keys; Flux with concurrency 200 (limit:
 * 200 × 200 calls/s = 40,000 msg/s) against Spring with one thread per partition. Confluent's
 * Parallel Consumer, the peer with key-ordered concurrency, runs in flux-bench-parallel-consumer.
 */
final class IoBoundRuns {
    static final int CONCURRENCY = 200;
    private static final long WAIT_MS = 5;

    private IoBoundRuns() {
    }

    /** A task that waits like a remote call. */
    static final class WaitingTask extends Task<byte[]> {
        private final Completion completion;

        WaitingTask(String topic, String group, int concurrency, Completion completion) {
            super(TaskSpec.topic(topic).group(group).retries(1).bytes().concurrency(concurrency));
            this.completion = completion;
        }

        @Override
        public void call(Message<byte[]> message) throws InterruptedException {
            Thread.sleep(WAIT_MS);
            completion.record();
        }
    }

    static Measurement flux(String bootstrap, String topic, String group, long count, int concurrency)
            throws InterruptedException {
        return FluxStageRun.mainStage(bootstrap, count, completion -> new WaitingTask(topic, group, concurrency, completion));
    }

    static Measurement spring(String bootstrap, String topic, String group, long count, int partitions) throws Exception {
        Completion completion = new Completion(count);
        return ConsumeRuns.spring(bootstrap, topic, group, true, partitions, record -> {
            try {
                Thread.sleep(WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            completion.record();
        }, completion);
    }
}
