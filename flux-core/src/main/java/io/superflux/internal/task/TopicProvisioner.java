package io.superflux.internal.task;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.superflux.retry.StagePlan;

/**
 * Makes sure every topic of a task exists before its stages start: the input topic must exist;
 * missing retry and dead-letter topics are created with the input topic's partition count (so a
 * record keeps its partition number through every stage) unless creation is turned off. Then it
 * waits until every partition has a leader that serves it: an idempotent producer writing to a
 * partition whose leader is not yet acting can fail every retry.
 */
final class TopicProvisioner {
    private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);

    private final Admin admin;
    private final String clusterDescription;
    private final Duration timeout;

    TopicProvisioner(Admin admin, String clusterDescription, Duration timeout) {
        this.admin = admin;
        this.clusterDescription = clusterDescription;
        this.timeout = timeout;
    }

    /**
     * Ensures the topics of {@code plan} and returns the partition count of each. A missing input
     * topic is an error, or is created with {@code inputPartitions} partitions when that is given.
     */
    Map<String, Integer> ensure(StagePlan plan, boolean autoCreate, Integer inputPartitions) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Integer> partitions = describe(plan.topics(), deadline);
        if (!partitions.containsKey(plan.inputTopic()) && inputPartitions != null) {
            create(List.of(plan.inputTopic()), inputPartitions, deadline);
            partitions.put(plan.inputTopic(), inputPartitions);
        }
        Integer input = partitions.get(plan.inputTopic());
        if (input == null) {
            throw new IllegalStateException("The input topic '" + plan.inputTopic() + "' does not exist on " + clusterDescription
                    + ": create it (e.g. kafka-topics.sh --create --topic " + plan.inputTopic() + " --partitions 6)");
        }
        List<String> missing = plan.topics().stream().filter(t -> !partitions.containsKey(t)).toList();
        if (!missing.isEmpty()) {
            if (!autoCreate) {
                throw new IllegalStateException("Topics " + missing + " do not exist on " + clusterDescription
                        + " and flux.topics.auto-create is false: create them, each with " + input + " partitions");
            }
            create(missing, input, deadline);
            missing.forEach(t -> partitions.put(t, input));
        }
        partitions.forEach((topic, count) -> {
            if (count < input) {
                log.warn("Topic {} has {} partitions, fewer than the input topic's {}: records from higher partitions"
                        + " are forwarded to it by key", topic, count, input);
            }
        });
        awaitLeaders(plan.topics(), deadline);
        return partitions;
    }

    /** The partition count of each of {@code topics} that exists. */
    Map<String, Integer> partitionCounts(List<String> topics) {
        return describe(topics, System.nanoTime() + timeout.toNanos());
    }

    private Map<String, Integer> describe(List<String> topics, long deadline) {
        Map<String, KafkaFuture<TopicDescription>> futures = admin.describeTopics(topics).topicNameValues();
        Map<String, Integer> partitions = new HashMap<>();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> entry : futures.entrySet()) {
            try {
                partitions.put(entry.getKey(), await(entry.getValue(), deadline).partitions().size());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw failure("describe topic " + entry.getKey(), e.getCause());
                }
            }
        }
        return partitions;
    }

    private void create(List<String> topics, int partitionCount, long deadline) {
        List<NewTopic> newTopics = new ArrayList<>();
        for (String topic : topics) {
            newTopics.add(new NewTopic(topic, Optional.of(partitionCount), Optional.empty()));
        }
        Map<String, KafkaFuture<Void>> results = admin.createTopics(newTopics).values();
        for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
            try {
                await(result.getValue(), deadline);
                log.info("Created topic {} with {} partitions on {}", result.getKey(), partitionCount, clusterDescription);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof TopicExistsException) {
                    continue; // another worker created it a moment ago
                }
                if (cause instanceof TopicAuthorizationException || cause instanceof ClusterAuthorizationException
                        || cause instanceof PolicyViolationException) {
                    throw new IllegalStateException("Flux may not create topic " + result.getKey() + " on " + clusterDescription
                            + " (" + cause.getMessage() + "): create " + topics + " with " + partitionCount
                            + " partitions each, or grant CREATE; with flux.topics.auto-create = false Flux only checks them", cause);
                }
                throw failure("create topic " + result.getKey(), cause);
            }
        }
    }

    /**
     * Waits until every partition has a leader that serves it. Metadata can name a leader a moment
     * before that broker acts as one; an idempotent producer writing then gets
     * NOT_LEADER_OR_FOLLOWER and afterwards OUT_OF_ORDER_SEQUENCE_NUMBER on every retry until its
     * records expire (seen with kafka-clients 4.1.1 and 4.4.0). ListOffsets is served by the acting
     * leader only, so one describe names the partitions and their leaders, and ListOffsets proves them.
     */
    private void awaitLeaders(List<String> topics, long deadline) {
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
