package io.superflux.internal.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.superflux.ClusterSettings;
import io.superflux.FluxConfig;
import io.superflux.FluxConfigException;
import io.superflux.internal.kafka.ClientProperties;
import io.superflux.internal.stage.ops.StageStatus;
import io.superflux.retry.Stage;
import io.superflux.retry.StagePlan;
import io.superflux.task.Task;

/**
 * The topics of a task, for workers and operators: prepare them at start, plan and apply what
 * they should be ({@link TopicPlanner}), and show what is in each stage.
 */
public final class TaskTopics {
    private static final Logger log = LoggerFactory.getLogger(TaskTopics.class);

    private TaskTopics() {
    }

    /** One stage's topic as it is now. */
    public record StageStatus(Stage stage, int partitions, long messages, long lag) {
        /** The value of {@code lag} when the stage's group committed nothing yet. */
        public static final long NO_COMMITS = -1;
    }

    /**
     * Prepares a worker's topics: creates the missing stage topics (unless
     * {@code flux.topics.auto-create} is false), refuses existing ones that could delete a record
     * before its stage reads it (unless {@code flux.topics.allow-short-retention}), logs the other
     * pending changes, and waits for every partition's leader. Returns each topic's partition count.
     *
     * @throws FluxConfigException   naming the unsafe topics, their retention and their stage's wait
     * @throws IllegalStateException if topics are missing and may not be created, or the cluster does not answer
     */
    public static Map<String, Integer> ensure(Task<?> task, FluxConfig config) {
        StagePlan plan = task.spec().plan();
        ClusterSettings cluster = config.cluster(task.spec().cluster());
        try (Admin admin = admin(cluster, config)) {
            TopicProvisioner provisioner = provisioner(admin, cluster, config.startupTimeout());
            TopicPlan topics = plan(task, config, provisioner, null);
            List<TopicPlan.Change> creates = topics.changes(TopicPlan.Action.CREATE);
            if (!creates.isEmpty() && !config.autoCreateTopics()) {
                throw new IllegalStateException("Topics " + creates.stream().map(TopicPlan.Change::topic).toList()
                        + " do not exist on " + provisioner.clusterDescription() + " and flux.topics.auto-create is false:"
                        + " create them, each with " + topics.inputPartitions() + " partitions (flux topics create does)");
            }
            if (!topics.unsafe().isEmpty()) {
                String problems = String.join("; ", topics.unsafe());
                if (!config.topics().allowShortRetention()) {
                    throw new FluxConfigException("flux.topics.allow-short-retention", "Unsafe stage topics for "
                            + task.getClass().getSimpleName() + " on " + provisioner.clusterDescription() + ": " + problems
                            + ". 'flux topics create " + task.getClass().getName() + "' fixes them; or set"
                            + " flux.topics.allow-short-retention = true to run anyway");
                }
                log.warn("Unsafe stage topics (allowed by flux.topics.allow-short-retention): {}", problems);
            }
            provisioner.apply(creates);
            for (TopicPlan.Change change : topics.changes()) {
                if (change.action() != TopicPlan.Action.CREATE) {
                    log.warn("Topic {}: {}; 'flux topics create {}' would change it", change.topic(), change.reason(),
                            task.getClass().getName());
                }
            }
            topics.warnings().forEach(warning -> log.warn("{}", warning));
            provisioner.awaitLeaders(plan.topics());
            Map<String, Integer> counts = provisioner.partitionCounts(plan.topics());
            ensureOrderTopic(task, config, provisioner, counts.get(plan.stage(0).topic()), config.autoCreateTopics());
            return counts;
        }
    }

    /**
     * What {@link #apply} would do; a missing input topic is planned with {@code inputPartitions}
     * partitions when given, else it is an error.
     */
    public static TopicPlan plan(Task<?> task, FluxConfig config, Integer inputPartitions) {
        ClusterSettings cluster = config.cluster(task.spec().cluster());
        try (Admin admin = admin(cluster, config)) {
            return plan(task, config, provisioner(admin, cluster, config.startupTimeout()), inputPartitions);
        }
    }

    /** Makes the task's topics what they should be: creates, grows and reconfigures them; returns what was done. */
    public static TopicPlan apply(Task<?> task, FluxConfig config, Integer inputPartitions) {
        ClusterSettings cluster = config.cluster(task.spec().cluster());
        try (Admin admin = admin(cluster, config)) {
            TopicProvisioner provisioner = provisioner(admin, cluster, config.startupTimeout());
            TopicPlan topics = plan(task, config, provisioner, inputPartitions);
            provisioner.apply(topics.changes());
            provisioner.awaitLeaders(task.spec().plan().topics());
            ensureOrderTopic(task, config, provisioner, topics.inputPartitions(), true);
            return topics;
        }
    }

    /** A task with ordered retries: its order topic, compacted, with the input topic's partitions. */
    private static void ensureOrderTopic(Task<?> task, FluxConfig config, TopicProvisioner provisioner, Integer partitions,
                                         boolean create) {
        if (task.spec().keyOrder().isPresent() && partitions != null) {
            ClusterState.TopicState input = provisioner.read(List.of(task.spec().topic())).topics().get(task.spec().topic());
            String limit = input == null ? null : input.configs().get(org.apache.kafka.common.config.TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            long inputLimit = 1_048_588; // the broker's default message.max.bytes
            try {
                inputLimit = limit == null ? inputLimit : Long.parseLong(limit.trim());
            } catch (NumberFormatException e) {
                log.debug("max.message.bytes of {} is {}: taking the broker's default", task.spec().topic(), limit);
            }
            provisioner.ensureOrderTopic(io.superflux.internal.stage.order.OrderEntries.topic(task.spec().topic(),
                    task.spec().group()), partitions, config.topics(), create, inputLimit);
        }
    }

    private static TopicPlan plan(Task<?> task, FluxConfig config, TopicProvisioner provisioner, Integer inputPartitions) {
        StagePlan plan = task.spec().plan();
        return TopicPlanner.plan(plan, StageTopicRequirements.of(plan, task.spec().backoff(), config.retryTimeScale(),
                config.topics()), config.topics(), provisioner.read(plan.topics()), inputPartitions,
                provisioner.clusterDescription());
    }

    /** Partitions, messages (end − start offsets) and group lag (end − committed) of every stage. */
    public static List<StageStatus> describe(Task<?> task, FluxConfig config) {
        StagePlan plan = task.spec().plan();
        ClusterSettings cluster = config.cluster(task.spec().cluster());
        long timeoutMs = config.startupTimeout().toMillis();
        try (Admin admin = admin(cluster, config)) {
            Map<String, Integer> counts = provisioner(admin, cluster, config.startupTimeout()).partitionCounts(plan.topics());
            List<StageStatus> statuses = new ArrayList<>();
            for (Stage stage : plan.stages()) {
                Integer partitions = counts.get(stage.topic());
                if (partitions == null) {
                    statuses.add(new StageStatus(stage, 0, 0, StageStatus.NO_COMMITS));
                    continue;
                }
                Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                for (int p = 0; p < partitions; p++) {
                    earliest.put(new TopicPartition(stage.topic(), p), OffsetSpec.earliest());
                    latest.put(new TopicPartition(stage.topic(), p), OffsetSpec.latest());
                }
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts =
                        admin.listOffsets(earliest).all().get(timeoutMs, TimeUnit.MILLISECONDS);
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                        admin.listOffsets(latest).all().get(timeoutMs, TimeUnit.MILLISECONDS);
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(stage.group())
                        .partitionsToOffsetAndMetadata().get(timeoutMs, TimeUnit.MILLISECONDS);
                long messages = 0;
                long lag = 0;
                boolean anyCommit = false;
                for (TopicPartition partition : ends.keySet()) {
                    long end = ends.get(partition).offset();
                    long start = starts.get(partition).offset();
                    messages += end - start;
                    OffsetAndMetadata offset = committed.get(partition);
                    anyCommit |= offset != null;
                    lag += end - (offset == null ? start : offset.offset());
                }
                statuses.add(new StageStatus(stage, partitions, messages, anyCommit ? lag : StageStatus.NO_COMMITS));
            }
            return statuses;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (e instanceof IllegalStateException illegal) {
                throw illegal;
            }
            throw new IllegalStateException("Could not describe the topics of " + task.getClass().getSimpleName()
                    + " on cluster '" + cluster.name() + "' (" + cluster.bootstrapServers() + "): " + e, e);
        }
    }

    public static Admin admin(ClusterSettings cluster, FluxConfig config) {
        return Admin.create(ClientProperties.admin(cluster, (int) config.startupTimeout().toMillis()));
    }

    public static TopicProvisioner provisioner(Admin admin, ClusterSettings cluster, Duration timeout) {
        return new TopicProvisioner(admin, "cluster '" + cluster.name() + "' (" + cluster.bootstrapServers() + ")", timeout);
    }
}
