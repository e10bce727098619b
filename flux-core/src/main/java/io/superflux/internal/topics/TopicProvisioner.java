package io.superflux.internal.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.superflux.TopicSettings;

/**
 * The admin side of provisioning a task's topics: reads what the cluster holds
 * ({@link ClusterState}), applies a {@link TopicPlan}'s changes, and waits until every partition
 * has a leader that serves it: an idempotent producer writing to a partition whose leader is not
 * yet acting can fail every retry. Every call is bounded by {@code flux.startup-timeout}.
 */
public final class TopicProvisioner {
    private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);

    private final Admin admin;
    private final String clusterDescription;
    private final Duration timeout;

    public TopicProvisioner(Admin admin, String clusterDescription, Duration timeout) {
        this.admin = admin;
        this.clusterDescription = clusterDescription;
        this.timeout = timeout;
    }

    public String clusterDescription() {
        return clusterDescription;
    }

    /** The brokers, and each of {@code topics} that exists with its partitions, replicas and configs. */
    public ClusterState read(List<String> topics) {
        long deadline = deadline();
        Map<String, TopicDescription> described = describe(topics, deadline);
        Map<String, Config> configs = new HashMap<>();
        if (!described.isEmpty()) {
            List<ConfigResource> resources = described.keySet().stream()
                    .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList();
            try {
                await(admin.describeConfigs(resources).all(), deadline)
                        .forEach((resource, config) -> configs.put(resource.name(), config));
            } catch (ExecutionException e) {
                throw failure("describe the configs of " + described.keySet(), e.getCause());
            }
        }
        Map<String, ClusterState.TopicState> states = new HashMap<>();
        described.forEach((topic, description) -> {
            Map<String, String> values = new HashMap<>();
            Set<String> explicit = new HashSet<>();
            Config config = configs.get(topic);
            if (config != null) {
                for (ConfigEntry entry : config.entries()) {
                    if (entry.value() != null) {
                        values.put(entry.name(), entry.value());
                    }
                    if (entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) {
                        explicit.add(entry.name());
                    }
                }
            }
            int replicas = description.partitions().isEmpty() ? 0 : description.partitions().get(0).replicas().size();
            states.put(topic, new ClusterState.TopicState(description.partitions().size(), replicas, values, explicit));
        });
        int brokers;
        try {
            brokers = await(admin.describeCluster().nodes(), deadline).size();
        } catch (ExecutionException e) {
            throw failure("describe the cluster", e.getCause());
        }
        return new ClusterState(brokers, states);
    }

    /**
     * Makes sure the order topic of a task with ordered retries exists as it must: compacted and
     * never deleted by retention (it holds parked records until their key is released), with the
     * input topic's {@code partitions} (a key's entries live on its input partition's number), and
     * room for a parked record as large as the input topic takes: {@code max.message.bytes} at
     * least the input topic's {@code inputMaxMessageBytes} plus {@value #ORDER_ENTRY_ROOM} (an
     * entry is the record with its key once more, its offset, timestamp and headers). Creates it,
     * or raises its limit, unless {@code create} is false.
     *
     * @throws io.superflux.FluxConfigException if it exists with another partition count or is not compacted only
     * @throws IllegalStateException            if it is missing and may not be created
     */
    public void ensureOrderTopic(String topic, int partitions, TopicSettings settings, boolean create, long inputMaxMessageBytes) {
        ClusterState.TopicState existing = read(List.of(topic)).topics().get(topic);
        String room = Long.toString(inputMaxMessageBytes + ORDER_ENTRY_ROOM);
        if (existing == null) {
            if (!create) {
                throw new IllegalStateException("Topic " + topic + " does not exist on " + clusterDescription + " and"
                        + " flux.topics.auto-create is false: create it compacted (cleanup.policy=compact) with " + partitions
                        + " partitions (flux topics create does)");
            }
            Map<String, String> configs = new java.util.LinkedHashMap<>();
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, room);
            settings.minInsyncReplicas().ifPresent(n -> configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(n)));
            Optional<Short> replicas = settings.replicationFactor().isPresent()
                    ? Optional.of((short) settings.replicationFactor().getAsInt()) : Optional.empty();
            try {
                await(admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), replicas).configs(configs))).all(),
                        deadline());
                log.info("Created topic {} with {} partitions on {} {}", topic, partitions, clusterDescription, configs);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw failure("create topic " + topic, e.getCause());
                }
            }
            awaitLeaders(List.of(topic));
            return;
        }
        String cleanup = existing.configs().getOrDefault(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE)
                .toLowerCase(java.util.Locale.ROOT).replace(" ", "");
        if (existing.partitions() != partitions || !cleanup.equals(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            throw new io.superflux.FluxConfigException("keyOrder", "Topic " + topic + " on " + clusterDescription + " has "
                    + existing.partitions() + " partitions and cleanup.policy=" + cleanup + ": ordered retries need it with "
                    + partitions + " partitions (the input topic's) and cleanup.policy=compact only (retention would delete"
                    + " parked records)");
        }
        long limit = parseOr(existing.configs().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG), Long.MAX_VALUE);
        if (limit < inputMaxMessageBytes + ORDER_ENTRY_ROOM) {
            if (!create) {
                log.warn("Topic {} takes records up to max.message.bytes={}: a parked record near the input topic's limit ({})"
                        + " would not fit; 'flux topics create' raises it to {}", topic, limit, inputMaxMessageBytes, room);
            } else {
                try {
                    await(admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(
                            new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, room),
                                    AlterConfigOp.OpType.SET)))).all(), deadline());
                    log.info("Topic {}: set max.message.bytes={} (a parked record as large as the input topic takes)", topic, room);
                } catch (ExecutionException e) {
                    throw failure("raise max.message.bytes of " + topic, e.getCause());
                }
            }
        }
        awaitLeaders(List.of(topic));
    }

    /** Bytes an order-topic entry adds to the record it parks, at most (key once more, offsets, headers' framing). */
    static final long ORDER_ENTRY_ROOM = 64 * 1024;

    private static long parseOr(String text, long otherwise) {
        try {
            return text == null ? otherwise : Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** The partition count of each of {@code topics} that exists. */
    public Map<String, Integer> partitionCounts(List<String> topics) {
        Map<String, Integer> counts = new HashMap<>();
        describe(topics, deadline()).forEach((topic, description) -> counts.put(topic, description.partitions().size()));
        return counts;
    }

    /** Applies {@code changes}: creates topics, adds partitions, alters configs. */
    public void apply(List<TopicPlan.Change> changes) {
        long deadline = deadline();
        List<TopicPlan.Change> creates = changes.stream().filter(c -> c.action() == TopicPlan.Action.CREATE).toList();
        if (!creates.isEmpty()) {
            create(creates, deadline);
        }
        Map<String, NewPartitions> growth = new HashMap<>();
        Map<ConfigResource, java.util.Collection<AlterConfigOp>> alterations = new HashMap<>();
        for (TopicPlan.Change change : changes) {
            if (change.action() == TopicPlan.Action.ADD_PARTITIONS) {
                growth.put(change.topic(), NewPartitions.increaseTo(change.partitions()));
            } else if (change.action() == TopicPlan.Action.ALTER_CONFIGS) {
                List<AlterConfigOp> ops = new ArrayList<>();
                change.configs().forEach((name, value) -> ops.add(new AlterConfigOp(new ConfigEntry(name, value),
                        AlterConfigOp.OpType.SET)));
                alterations.put(new ConfigResource(ConfigResource.Type.TOPIC, change.topic()), ops);
            }
        }
        try {
            if (!growth.isEmpty()) {
                await(admin.createPartitions(growth).all(), deadline);
                growth.forEach((topic, count) -> log.info("Topic {} now has {} partitions", topic, count.totalCount()));
            }
            if (!alterations.isEmpty()) {
                await(admin.incrementalAlterConfigs(alterations).all(), deadline);
                alterations.forEach((resource, ops) -> log.info("Topic {}: set {}", resource.name(),
                        ops.stream().map(op -> op.configEntry().name() + "=" + op.configEntry().value()).toList()));
            }
        } catch (ExecutionException e) {
            throw failure("change topics " + growth.keySet() + " " + alterations.keySet(), e.getCause());
        }
    }

    private void create(List<TopicPlan.Change> creates, long deadline) {
        List<NewTopic> newTopics = new ArrayList<>();
        for (TopicPlan.Change change : creates) {
            Optional<Short> replicas = change.replicationFactor().isPresent()
                    ? Optional.of((short) change.replicationFactor().getAsInt()) : Optional.empty();
            newTopics.add(new NewTopic(change.topic(), Optional.of(change.partitions()), replicas).configs(change.configs()));
        }
        Map<String, KafkaFuture<Void>> results = admin.createTopics(newTopics).values();
        for (TopicPlan.Change change : creates) {
            try {
                await(results.get(change.topic()), deadline);
                log.info("Created topic {} with {} partitions on {}{}", change.topic(), change.partitions(), clusterDescription,
                        change.configs().isEmpty() ? "" : " " + change.configs());
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof TopicExistsException) {
                    continue; // another worker created it a moment ago
                }
                if (cause instanceof TopicAuthorizationException || cause instanceof ClusterAuthorizationException
                        || cause instanceof PolicyViolationException) {
                    List<String> names = creates.stream().map(TopicPlan.Change::topic).toList();
                    throw new IllegalStateException("Flux may not create topic " + change.topic() + " on " + clusterDescription
                            + " (" + cause.getMessage() + "): create " + names + " with " + change.partitions()
                            + " partitions each, or grant CREATE; with flux.topics.auto-create = false Flux only checks them", cause);
                }
                throw failure("create topic " + change.topic(), cause);
            }
        }
    }

    private Map<String, TopicDescription> describe(List<String> topics, long deadline) {
        Map<String, KafkaFuture<TopicDescription>> futures = admin.describeTopics(topics).topicNameValues();
        Map<String, TopicDescription> described = new HashMap<>();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> entry : futures.entrySet()) {
            try {
                described.put(entry.getKey(), await(entry.getValue(), deadline));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw failure("describe topic " + entry.getKey(), e.getCause());
                }
            }
        }
        return described;
    }

    /**
     * Waits until every partition has a leader that serves it. Metadata can name a leader a moment
     * before that broker acts as one; an idempotent producer writing then gets
     * NOT_LEADER_OR_FOLLOWER and afterwards OUT_OF_ORDER_SEQUENCE_NUMBER on every retry until its
     * records expire (seen with kafka-clients 4.1.1 and 4.4.0). ListOffsets is served by the acting
     * leader only, so one describe names the partitions and their leaders, and ListOffsets proves them.
     */
    public void awaitLeaders(List<String> topics) {
        long deadline = deadline();
        while (true) {
            try {
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                boolean led = true;
                for (Map.Entry<String, KafkaFuture<TopicDescription>> description
                        : admin.describeTopics(topics).topicNameValues().entrySet()) {
                    for (TopicPartitionInfo partition : await(description.getValue(), deadline).partitions()) {
                        led &= partition.leader() != null && !partition.leader().isEmpty();
                        latest.put(new TopicPartition(description.getKey(), partition.partition()), OffsetSpec.latest());
                    }
                }
                if (led) {
                    await(admin.listOffsets(latest).all(), deadline);
                    return;
                }
            } catch (ExecutionException e) {
                // not visible or not serving yet (a topic created a moment ago): try again
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Partitions of " + topics + " on " + clusterDescription
                        + " have no serving leader after " + timeout.toSeconds() + "s (flux.startup-timeout)");
            }
            sleep(50);
        }
    }

    private long deadline() {
        return System.nanoTime() + timeout.toNanos();
    }

    private <T> T await(KafkaFuture<T> future, long deadline) throws ExecutionException {
        try {
            return future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka cluster " + clusterDescription + " did not answer within "
                    + timeout.toSeconds() + "s (flux.startup-timeout): is it running and reachable?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing topics on " + clusterDescription, e);
        }
    }

    private IllegalStateException failure(String action, Throwable cause) {
        if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            return new IllegalStateException("Kafka cluster " + clusterDescription + " did not answer within "
                    + timeout.toSeconds() + "s (flux.startup-timeout): is it running and reachable?", cause);
        }
        return new IllegalStateException("Could not " + action + " on " + clusterDescription + ": " + cause, cause);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for partition leaders", e);
        }
    }
}
