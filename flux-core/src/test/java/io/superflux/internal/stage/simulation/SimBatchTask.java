package io.superflux.internal.stage.simulation;

import java.nio.charset.StandardCharsets;
import java.util.Collection;

import org.apache.kafka.common.TopicPartition;

import io.superflux.retry.Stage;
import io.superflux.task.Batch;
import io.superflux.task.BatchTask;
import io.superflux.task.Message;
import io.superflux.task.TaskSpec;

/**
 * The batch task of a simulated run: it calls each record of a batch as the schedule says,
 * marking the ones that fail; while the dependency is down the first failure throws instead, as a
 * sink's bulk write does, failing the records of the batch not yet marked.
 */
final class SimBatchTask extends BatchTask<String> {
    private final SimWorld world;
    private final int incarnation;
    private final SimTask.HeldPartitions held;

    SimBatchTask(TaskSpec<String> spec, SimWorld world, int incarnation, SimTask.HeldPartitions held) {
        super(spec);
        this.world = world;
        this.incarnation = incarnation;
        this.held = held;
    }

    @Override
    public void call(Batch<String> batch) throws Exception {
        java.util.List<Message<String>> messages = batch.messages();
        for (int i = 0; i < messages.size(); i++) {
            Message<String> message = messages.get(i);
            held.check(message);
            try {
                world.call(incarnation, message.value(), false);
            } catch (SimWorld.Crashed e) {
                throw e;
            } catch (Exception e) {
                if (world.dependencyDown()) {
                    // the whole write failed: every record not marked fails with it, each a failed try to the engine
                    for (Message<String> unreached : messages.subList(i + 1, messages.size())) {
                        world.failedWithItsBatch(incarnation, unreached.value());
                    }
                    throw e;
                }
                batch.failed(message, e);
            }
        }
    }

    @Override
    public void deadLetter(Message<String> message) throws Exception {
        held.check(message);
        world.call(incarnation, new String(message.rawValue(), StandardCharsets.UTF_8), true);
    }

    @Override
    public void onAssigned(Stage stage, Collection<TopicPartition> partitions) {
        held.assigned(partitions);
    }

    @Override
    public void onRevoked(Stage stage, Collection<TopicPartition> partitions) {
        held.revoked(partitions);
    }
}
