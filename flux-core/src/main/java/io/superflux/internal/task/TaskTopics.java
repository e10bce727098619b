package io.superflux.internal.task;

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

import io.superflux.ClusterSettings;
import io.superflux.FluxConfig;
import io.superflux.internal.kafka.ClientProperties;
import io.superflux.retry.Stage;
import io.superflux.retry.StagePlan;
import io.superflux.task.Task;

/** The topics of a task, for operators: make sure they exist, and show what is in each stage. */
public final class TaskTopics {
    private TaskTopics() {
    }

    /** One stage's topic as it is now. */
    public record StageStatus(Stage stage, int partitions, long messages, long lag) {
        /** The value of {@code lag} when the stage's group committed nothing yet. */
        public static final long NO_COMMITS = -1;
    }

    /**
     * Ensures every stage topic exists (the input topic too, with {@code inputPartitions} partitions,
     * when that is given and it is missing); returns each topic's partition count.
     */
    public static Map<String, Integer> ensure(Task<?> task, FluxConfig config, Integer inputPartitions) {
        StagePlan plan = task.spec().plan();
        ClusterSettings cluster = config.cluster(task.spec().cluster());
        try (Admin admin = admin(cluster, config)) {
            return provisioner(admin, cluster, config.startupTimeout()).ensure(plan, config.autoCreateTopics(), inputPartitions);
        }
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

    static Admin admin(ClusterSettings cluster, FluxConfig config) {
        return Admin.create(ClientProperties.admin(cluster, (int) config.startupTimeout().toMillis()));
    }

    static TopicProvisioner provisioner(Admin admin, ClusterSettings cluster, Duration timeout) {
        return new TopicProvisioner(admin, "cluster '" + cluster.name() + "' (" + cluster.bootstrapServers() + ")", timeout);
    }
}
