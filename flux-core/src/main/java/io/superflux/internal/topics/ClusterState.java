package io.superflux.internal.topics;

import java.util.Map;
import java.util.Set;

/**
 * What the cluster holds of a task's topics, as read once by {@link TopicProvisioner} for
 * {@link TopicPlanner}.
 *
 * @param brokers the number of brokers
 * @param topics  the existing topics among those asked for, by name
 */
public record ClusterState(int brokers, Map<String, TopicState> topics) {
    /**
     * One existing topic.
     *
     * @param partitions        its partition count
     * @param replicationFactor replicas of its first partition
     * @param configs           every topic-level config and its effective value
     * @param explicitConfigs   the configs set on the topic itself (not broker or Kafka defaults)
     */
    public record TopicState(int partitions, int replicationFactor, Map<String, String> configs, Set<String> explicitConfigs) {
    }
}
