package io.superflux.internal.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

import org.apache.kafka.common.config.TopicConfig;

import io.superflux.TopicSettings;
import io.superflux.retry.Stage;
import io.superflux.retry.StagePlan;

/**
 * Compares what a task's stage topics need ({@link StageTopicRequirements}) with what the
 * cluster holds ({@link ClusterState}) and says what to do ({@link TopicPlan}). Pure logic: the
 * admin calls are {@link TopicProvisioner}'s.
 *
 * <ul>
 * <li>A missing stage topic is created with the input topic's partition count, the configured
 *     replication (capped at the number of brokers), a retention that outlasts its stage's longest
 *     wait, the application's topic properties, and the input topic's {@code max.message.bytes}
 *     when that is set on the input topic (whatever the input accepts, its retries accept).</li>
 * <li>An existing stage topic with fewer partitions than the input gets more; configs that
 *     differ from what is wanted are changed.</li>
 * <li>A retry topic whose retention is shorter than its stage's longest wait, or a stage topic
 *     that is compacted, can delete a record before its stage reads it: that is {@code unsafe}.</li>
 * </ul>
 */
public final class TopicPlanner {
    private TopicPlanner() {
    }

    /**
     * The plan for {@code plan}'s topics on {@code cluster}. A missing input topic is planned with
     * {@code inputPartitions} partitions when that is given.
     *
     * @throws IllegalStateException if the input topic is missing and {@code inputPartitions} is null
     */
    public static TopicPlan plan(StagePlan plan, List<StageTopicRequirements.Requirement> needs, TopicSettings settings,
                          ClusterState cluster, Integer inputPartitions, String clusterDescription) {
        List<TopicPlan.Change> changes = new ArrayList<>();
        List<String> unsafe = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        OptionalInt replication = replication(settings, cluster.brokers(), warnings);

        ClusterState.TopicState input = cluster.topics().get(plan.inputTopic());
        int partitions;
        if (input != null) {
            partitions = input.partitions();
        } else if (inputPartitions != null) {
            partitions = inputPartitions;
            changes.add(new TopicPlan.Change(TopicPlan.Action.CREATE, plan.stage(0), partitions, replication, Map.of(),
                    Map.of(), "the input topic is missing"));
        } else {
            throw new IllegalStateException("The input topic '" + plan.inputTopic() + "' does not exist on " + clusterDescription
                    + ": create it (e.g. kafka-topics.sh --create --topic " + plan.inputTopic() + " --partitions 6)");
        }
        String inputMaxMessageBytes = input != null && input.explicitConfigs().contains(TopicConfig.MAX_MESSAGE_BYTES_CONFIG)
                ? input.configs().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG) : null;

        boolean insyncCapped = replication.isPresent() && settings.minInsyncReplicas().isPresent()
                && settings.minInsyncReplicas().getAsInt() > replication.getAsInt();
        if (insyncCapped) {
            warnings.add("flux.topics.min-insync-replicas " + settings.minInsyncReplicas().getAsInt() + " is more than the "
                    + replication.getAsInt() + " replica(s) stage topics get here: they are created with "
                    + replication.getAsInt());
        }
        for (StageTopicRequirements.Requirement need : needs) {
            Map<String, String> wanted = new LinkedHashMap<>(need.configs());
            if (inputMaxMessageBytes != null) {
                wanted.putIfAbsent(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, inputMaxMessageBytes);
            }
            if (insyncCapped) {
                wanted.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(replication.getAsInt()));
            }
            ClusterState.TopicState existing = cluster.topics().get(need.stage().topic());
            if (existing == null) {
                changes.add(new TopicPlan.Change(TopicPlan.Action.CREATE, need.stage(), partitions, replication, wanted,
                        Map.of(), "missing"));
                continue;
            }
            if (existing.partitions() < partitions) {
                changes.add(new TopicPlan.Change(TopicPlan.Action.ADD_PARTITIONS, need.stage(), partitions, OptionalInt.empty(),
                        Map.of(), Map.of(), "it has " + existing.partitions() + " partitions, fewer than the input topic's "
                        + partitions + ": a record from a higher partition would change partition on its way"));
            }
            if (replication.isPresent() && existing.replicationFactor() < replication.getAsInt()) {
                warnings.add(need.stage().topic() + " has " + existing.replicationFactor() + " replica(s), fewer than"
                        + " flux.topics.replication-factor " + replication.getAsInt() + ": Flux does not move replicas"
                        + " (kafka-reassign-partitions.sh does)");
            }
            alterations(need, wanted, existing, settings, unsafe, warnings).ifPresent(changes::add);
        }
        return new TopicPlan(partitions, changes, unsafe, warnings);
    }

    private static java.util.Optional<TopicPlan.Change> alterations(StageTopicRequirements.Requirement need,
            Map<String, String> wanted, ClusterState.TopicState existing, TopicSettings settings, List<String> unsafe,
            List<String> warnings) {
        String topic = need.stage().topic();
        Map<String, String> alter = new LinkedHashMap<>();
        List<String> reasons = new ArrayList<>();
        if (need.stage().kind() == Stage.Kind.RETRY) {
            long retention = number(existing.configs().get(TopicConfig.RETENTION_MS_CONFIG), -1);
            long safe = need.minimumSafeRetention().toMillis();
            if (retention != -1 && retention < safe) {
                unsafe.add(topic + " keeps records for retention.ms=" + retention + " (" + human(retention) + "), less than"
                        + " stage " + need.stage().number() + "'s longest wait of " + human(safe) + ": a record held for its"
                        + " due time would be deleted before its retry");
                alter.put(TopicConfig.RETENTION_MS_CONFIG, wanted.get(TopicConfig.RETENTION_MS_CONFIG));
                reasons.add("retention shorter than the stage's longest wait");
            } else if (retention != -1 && retention < need.wantedRetention(settings.retentionSafetyFactor()).toMillis()) {
                alter.put(TopicConfig.RETENTION_MS_CONFIG, wanted.get(TopicConfig.RETENTION_MS_CONFIG));
                reasons.add("retention less than " + settings.retentionSafetyFactor() + " times the stage's longest wait");
            }
            if (number(existing.configs().get(TopicConfig.RETENTION_BYTES_CONFIG), -1) != -1) {
                warnings.add(topic + " has retention.bytes=" + existing.configs().get(TopicConfig.RETENTION_BYTES_CONFIG)
                        + ": a size limit can delete records held for their due time");
            }
        }
        String cleanup = existing.configs().getOrDefault(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
        if (cleanup.toLowerCase(Locale.ROOT).contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            unsafe.add(topic + " is compacted (cleanup.policy=" + cleanup + "): a later record with the same key would delete"
                    + " one its stage has not read");
            alter.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
            reasons.add("compaction");
        }
        for (Map.Entry<String, String> config : wanted.entrySet()) {
            String name = config.getKey();
            if (alter.containsKey(name) || name.equals(TopicConfig.RETENTION_MS_CONFIG)) {
                continue;
            }
            String now = existing.configs().get(name);
            if (name.equals(TopicConfig.MAX_MESSAGE_BYTES_CONFIG)) {
                if (number(now, Long.MAX_VALUE) < number(config.getValue(), 0)) {
                    alter.put(name, config.getValue());
                    reasons.add("smaller max.message.bytes than the input topic's");
                }
            } else if (!config.getValue().equals(now)) {
                alter.put(name, config.getValue());
                reasons.add(name + " as configured");
            }
        }
        if (alter.isEmpty()) {
            return java.util.Optional.empty();
        }
        Map<String, String> current = new LinkedHashMap<>();
        alter.keySet().forEach(name -> current.put(name, existing.configs().get(name)));
        return java.util.Optional.of(new TopicPlan.Change(TopicPlan.Action.ALTER_CONFIGS, need.stage(), existing.partitions(),
                OptionalInt.empty(), alter, current, String.join("; ", reasons)));
    }

    private static OptionalInt replication(TopicSettings settings, int brokers, List<String> warnings) {
        if (settings.replicationFactor().isEmpty()) {
            return OptionalInt.empty();
        }
        int wanted = settings.replicationFactor().getAsInt();
        if (brokers > 0 && wanted > brokers) {
            warnings.add("flux.topics.replication-factor " + wanted + " is more than the cluster's " + brokers
                    + " broker(s): stage topics are created with " + brokers);
            return OptionalInt.of(brokers);
        }
        return OptionalInt.of(wanted);
    }

    private static long number(String text, long otherwise) {
        try {
            return text == null ? otherwise : Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** A duration in ms as people read it: 45 s, 12.1 min, 4.5 days. */
    public static String human(long millis) {
        Duration duration = Duration.ofMillis(millis);
        if (duration.toSeconds() < 120) {
            return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        if (duration.toMinutes() < 120) {
            return String.format(Locale.ROOT, "%.1f min", millis / 60_000.0);
        }
        if (duration.toHours() < 48) {
            return String.format(Locale.ROOT, "%.1f h", millis / 3_600_000.0);
        }
        return String.format(Locale.ROOT, "%.1f days", millis / 86_400_000.0);
    }
}
