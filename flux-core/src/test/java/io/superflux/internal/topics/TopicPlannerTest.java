package io.superflux.internal.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.superflux.TopicSettings;
import io.superflux.retry.Backoff;
import io.superflux.retry.StagePlan;

/** What provisioning plans for a task's topics, from a given cluster state; no broker needed. */
class TopicPlannerTest {
    private static final long DAY = Duration.ofDays(1).toMillis();
    private static final StagePlan PLAN = StagePlan.of("orders", "billing", 2);
    private static final TopicSettings DEFAULTS = new TopicSettings(true, OptionalInt.empty(), OptionalInt.empty(), 2.0,
            Duration.ofDays(7), Duration.ofDays(28), false, Map.of());

    private static ClusterState.TopicState topic(int partitions, Map<String, String> configs, String... explicit) {
        return new ClusterState.TopicState(partitions, 1, configs, Set.of(explicit));
    }

    private static TopicPlan plan(TopicSettings settings, Backoff backoff, Map<String, ClusterState.TopicState> topics) {
        return TopicPlanner.plan(PLAN, StageTopicRequirements.of(PLAN, backoff, 1.0, settings), settings,
                new ClusterState(1, topics), null, "cluster 'default'");
    }

    @Test
    void missingStageTopicsAreCreatedWithARetentionThatOutlastsTheirStage() {
        TopicPlan plan = plan(DEFAULTS, Backoff.fixed(Duration.ofDays(5)),
                Map.of("orders", topic(6, Map.of("retention.ms", "604800000"))));
        assertEquals(List.of("orders-billing-try-1", "orders-billing-try-2", "orders-billing-dlq"),
                plan.changes(TopicPlan.Action.CREATE).stream().map(TopicPlan.Change::topic).toList());
        TopicPlan.Change retry = plan.changes().get(0);
        assertEquals(6, retry.partitions(), "the input topic's partition count");
        assertEquals(Long.toString(10 * DAY), retry.configs().get("retention.ms"), "5 days of wait, times 2");
        assertEquals(Long.toString(28 * DAY), plan.changes().get(2).configs().get("retention.ms"), "the dead letters'");
        assertTrue(plan.unsafe().isEmpty());
    }

    @Test
    void shortWaitsStillGetTheMinimumRetention() {
        TopicPlan plan = plan(DEFAULTS, Backoff.standard(), Map.of("orders", topic(1, Map.of())));
        assertEquals(Long.toString(7 * DAY), plan.changes().get(0).configs().get("retention.ms"));
    }

    @Test
    void anExistingRetryTopicKeepingRecordsShorterThanItsWaitIsUnsafeAndPlannedToChange() {
        Map<String, ClusterState.TopicState> topics = new HashMap<>();
        topics.put("orders", topic(3, Map.of()));
        topics.put("orders-billing-try-1", topic(3, Map.of("retention.ms", Long.toString(DAY), "cleanup.policy", "delete")));
        topics.put("orders-billing-try-2", topic(3, Map.of("retention.ms", Long.toString(3 * DAY))));
        topics.put("orders-billing-dlq", topic(3, Map.of("retention.ms", Long.toString(DAY))));
        TopicPlan plan = plan(DEFAULTS, Backoff.fixed(Duration.ofDays(2)), topics);

        assertEquals(1, plan.unsafe().size(), plan.unsafe().toString());
        assertTrue(plan.unsafe().get(0).contains("orders-billing-try-1 keeps records for retention.ms=86400000 (24.0 h)"),
                plan.unsafe().get(0));
        assertTrue(plan.unsafe().get(0).contains("longest wait of 2.0 days"), plan.unsafe().get(0));
        List<TopicPlan.Change> alters = plan.changes(TopicPlan.Action.ALTER_CONFIGS);
        assertEquals(List.of("orders-billing-try-1", "orders-billing-try-2"), alters.stream().map(TopicPlan.Change::topic).toList(),
                "try-2 is safe but has less margin than the safety factor; the dead letters have no wait");
        assertEquals(Map.of("retention.ms", Long.toString(7 * DAY)), alters.get(0).configs());
        assertEquals(Map.of("retention.ms", Long.toString(DAY)), alters.get(0).current());
    }

    @Test
    void compactionOnAStageTopicIsUnsafe() {
        Map<String, ClusterState.TopicState> topics = new HashMap<>();
        topics.put("orders", topic(1, Map.of()));
        topics.put("orders-billing-try-1", topic(1, Map.of("retention.ms", "-1", "cleanup.policy", "compact,delete")));
        topics.put("orders-billing-try-2", topic(1, Map.of("retention.ms", "-1")));
        topics.put("orders-billing-dlq", topic(1, Map.of("cleanup.policy", "compact")));
        TopicPlan plan = plan(DEFAULTS, Backoff.standard(), topics);
        assertEquals(2, plan.unsafe().size(), plan.unsafe().toString());
        assertTrue(plan.unsafe().get(0).contains("is compacted"), plan.unsafe().get(0));
        assertEquals("delete", plan.changes().get(0).configs().get("cleanup.policy"));
    }

    @Test
    void fewerPartitionsThanTheInputAreGrownAndTheInputsSizeLimitIsCarriedOver() {
        Map<String, ClusterState.TopicState> topics = new HashMap<>();
        topics.put("orders", topic(6, Map.of("max.message.bytes", "4194304"), "max.message.bytes"));
        topics.put("orders-billing-try-1", topic(2, Map.of("retention.ms", "-1", "max.message.bytes", "1048588")));
        TopicPlan plan = plan(DEFAULTS, Backoff.standard(), topics);
        TopicPlan.Change grow = plan.changes(TopicPlan.Action.ADD_PARTITIONS).get(0);
        assertEquals("orders-billing-try-1", grow.topic());
        assertEquals(6, grow.partitions());
        assertEquals("4194304", plan.changes(TopicPlan.Action.ALTER_CONFIGS).get(0).configs().get("max.message.bytes"));
        assertEquals("4194304", plan.changes(TopicPlan.Action.CREATE).get(0).configs().get("max.message.bytes"),
                "new stage topics accept what the input accepts");
    }

    @Test
    void replicationIsCappedAtTheBrokersAndMinInsyncReplicasAndPropertiesApply() {
        TopicSettings settings = new TopicSettings(true, OptionalInt.of(3), OptionalInt.of(2), 2.0, Duration.ofDays(7),
                Duration.ofDays(28), false, Map.of("compression.type", "lz4", "retention.ms", Long.toString(30 * DAY)));
        TopicPlan plan = plan(settings, Backoff.standard(), Map.of("orders", topic(1, Map.of())));
        TopicPlan.Change create = plan.changes().get(0);
        assertEquals(OptionalInt.of(1), create.replicationFactor());
        assertTrue(plan.warnings().get(0).contains("more than the cluster's 1 broker(s)"), plan.warnings().toString());
        assertEquals("lz4", create.configs().get("compression.type"));
        assertEquals("1", create.configs().get("min.insync.replicas"), "capped at the replicas it gets");
        assertTrue(plan.warnings().get(1).contains("min-insync-replicas 2 is more than the 1 replica(s)"), plan.warnings().toString());
        assertEquals(Long.toString(30 * DAY), create.configs().get("retention.ms"), "a longer retention asked for is kept");
    }

    @Test
    void aMissingInputTopicIsAnErrorUnlessPartitionsAreGiven() {
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> plan(DEFAULTS, Backoff.standard(), Map.of()));
        assertTrue(missing.getMessage().contains("The input topic 'orders' does not exist"), missing.getMessage());
        TopicPlan plan = TopicPlanner.plan(PLAN, StageTopicRequirements.of(PLAN, Backoff.standard(), 1.0, DEFAULTS), DEFAULTS,
                new ClusterState(1, Map.of()), 4, "cluster 'default'");
        assertEquals(4, plan.changes().size());
        assertEquals("orders", plan.changes().get(0).topic());
        assertEquals(4, plan.changes().get(0).partitions());
    }

    @Test
    void anUpToDateClusterHasNothingToDo() {
        Map<String, ClusterState.TopicState> topics = new HashMap<>();
        topics.put("orders", topic(2, Map.of()));
        for (String topic : List.of("orders-billing-try-1", "orders-billing-try-2", "orders-billing-dlq")) {
            topics.put(topic, topic(2, Map.of("retention.ms", Long.toString(7 * DAY), "cleanup.policy", "delete")));
        }
        assertTrue(plan(DEFAULTS, Backoff.standard(), topics).upToDate());
    }
}
