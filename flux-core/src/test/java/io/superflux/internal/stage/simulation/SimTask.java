package io.superflux.internal.stage.simulation;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

import io.superflux.retry.Stage;
import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/**
 * The task of a simulated run, one instance per incarnation: each call does what the schedule
 * says of its record (succeed, fail, throw a fatal or routed type, take simulated time, hang until
 * interrupted), and every call fails while a dependency is down. It checks the partition hooks:
 * no partition is given twice or given back without having been given, and every call is of a
 * partition the task holds.
 */
final class SimTask extends Task<String> {
    /** A failed call. */
    static final class CallFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CallFailed(String message) {
            super(message);
        }
    }

    /** Declared fatal: straight to the dead letters. */
    static final class Fatal extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Fatal() {
            super("simulated fatal failure");
        }
    }

    /** Declared routed to a later stage. */
    static final class Routed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Routed() {
            super("simulated routed failure");
        }
    }

    private final SimWorld world;
    private final int incarnation;
    private final HeldPartitions held;

    SimTask(TaskSpec<String> spec, SimWorld world, int incarnation) {
        super(spec);
        this.world = world;
        this.incarnation = incarnation;
        this.held = new HeldPartitions(world, incarnation);
    }

    /** The task of {@code world}'s configuration: a batch task if it has batch limits. */
    static Task<String> of(TaskSpec<String> spec, SimWorld world, int incarnation) {
        return world.batches() ? new SimBatchTask(spec, world, incarnation, new HeldPartitions(world, incarnation))
                : new SimTask(spec, world, incarnation);
    }

    @Override
    public void call(Message<String> message) throws Exception {
        held.check(message);
        world.call(incarnation, message.value(), false);
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

    /**
     * The partition hooks' invariants, for either kind of task: no partition is given twice or
     * given back without having been given, and every call is of a partition the task holds.
     * With {@code failingRevocations}, every other onRevoked throws.
     */
    static final class HeldPartitions {
        private final SimWorld world;
        private final int incarnation;
        /** Partitions onAssigned gave and onRevoked did not take back; the stage thread alone changes it. */
        private final Set<Integer> held = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final boolean failingRevocations;
        private int revocations;

        HeldPartitions(SimWorld world, int incarnation) {
            this.world = world;
            this.incarnation = incarnation;
            this.failingRevocations = world.failingRevocations();
        }

        void assigned(Collection<TopicPartition> partitions) {
            for (TopicPartition partition : partitions) {
                if (!held.add(partition.partition())) {
                    world.history().violation("onAssigned gave partition " + partition.partition() + " twice", null);
                }
            }
        }

        void revoked(Collection<TopicPartition> partitions) {
            for (TopicPartition partition : partitions) {
                if (!held.remove(partition.partition())) {
                    world.history().violation("onRevoked gave back partition " + partition.partition()
                            + ", which onAssigned had not given", null);
                }
            }
            if (failingRevocations && revocations++ % 2 == 0) {
                throw new IllegalStateException("simulated: flushing the partitions' state failed");
            }
        }

        void check(Message<String> message) {
            if (world.isAlive(incarnation) && !held.contains(message.partition())) { // a killed process's threads wind down
                world.history().violation("called a record of partition " + message.partition() + " (offset "
                        + message.offset() + "), which the task does not hold (onAssigned " + (held.isEmpty() ? "gave none"
                        : "gave " + held) + ")", null);
            }
        }
    }

    /** Reads a value: a bad one throws SerializationException; a transient failure something else. */
    static final class Values implements Deserializer<String> {
        private final SimWorld world;

        Values(SimWorld world) {
            this.world = world;
        }

        @Override
        public void configure(Map<String, ?> configs, boolean isKey) {
        }

        @Override
        public String deserialize(String topic, byte[] data) {
            return world.readValue(data);
        }

        @Override
        public String deserialize(String topic, Headers headers, byte[] data) {
            return world.readValue(data);
        }
    }

    /** A transient failure the way a Schema Registry client reports one. */
    static RuntimeException transientFailure(int attempt) {
        return switch (attempt % 3) {
            case 0 -> new IllegalStateException("simulated: the schema registry cannot be reached");
            case 1 -> new SerializationException("simulated: error retrieving the schema",
                    new java.net.ConnectException("Connection refused"));
            default -> new SerializationException("simulated: error retrieving the schema",
                    new javax.net.ssl.SSLHandshakeException("Remote host terminated the handshake"));
        };
    }
}
