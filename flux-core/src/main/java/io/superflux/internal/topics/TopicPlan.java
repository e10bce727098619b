package io.superflux.internal.topics;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import io.superflux.retry.Stage;

/**
 * What provisioning a task's topics would do on a cluster, as {@code flux topics plan} shows it
 * and {@code flux topics create} applies it: topics to create, partitions to add, configs to
 * change; plus {@code unsafe} findings (an existing stage topic whose retention could delete a
 * held record), which stop a worker unless allowed, and {@code warnings} nothing can fix here.
 *
 * @param inputPartitions partitions of the input topic (what stage topics get)
 * @param changes         what to do, stage order
 * @param unsafe          existing stage topics that can lose records as they are configured
 * @param warnings        things worth knowing that Flux does not change
 */
public record TopicPlan(int inputPartitions, List<Change> changes, List<String> unsafe, List<String> warnings) {
    /** What a change does. */
    public enum Action {
        /** Create the topic. */
        CREATE,
        /** Give it more partitions. */
        ADD_PARTITIONS,
        /** Change topic-level configs. */
        ALTER_CONFIGS
    }

    /**
     * One change to one topic.
     *
     * @param action            what to do
     * @param stage             the stage whose topic it is
     * @param partitions        partition count to create with, or to grow to
     * @param replicationFactor replicas to create with; empty for the broker's default
     * @param configs           configs to create with, or the new values of changed ones
     * @param current           for {@link Action#ALTER_CONFIGS}: the values now, by name
     * @param reason            why, for people
     */
    public record Change(Action action, Stage stage, int partitions, OptionalInt replicationFactor,
                         Map<String, String> configs, Map<String, String> current, String reason) {
        /** The topic changed. */
        public String topic() {
            return stage.topic();
        }
    }

    /** Copies the lists. */
    public TopicPlan {
        changes = List.copyOf(changes);
        unsafe = List.copyOf(unsafe);
        warnings = List.copyOf(warnings);
    }

    /** Whether there is nothing to do. */
    public boolean upToDate() {
        return changes.isEmpty();
    }

    /** The changes of one kind. */
    public List<Change> changes(Action action) {
        return changes.stream().filter(change -> change.action() == action).toList();
    }
}
