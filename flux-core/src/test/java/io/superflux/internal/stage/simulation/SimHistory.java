package io.superflux.internal.stage.simulation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.apache.kafka.common.TopicPartition;

import io.superflux.internal.headers.RetryHeaders;

/**
 * What happened in a simulated run, and the invariants checked as it happens: a commit never
 * passes a record that is not complete (handled, or its forward acknowledged — under
 * exactly-once, committed in a transaction); no call comes before the record's due time; no
 * forward is visible without its offset, nor twice, under exactly-once; calls of one key never
 * overlap and go in offset order unless the partition was read again; committed offsets never go
 * back; and, at the end, every record is committed with an outcome that fits what its calls did.
 * The first violation ends the run.
 */
final class SimHistory {
    /** One input record's story. */
    static final class Story {
        final Schedule.Input input;
        final long offset;
        int calls;
        int failedInRow;
        int valueReads;
        boolean handled;
        /** Ordered retries: parked behind its key's leader, and the parked entry acknowledged (its offset may be committed). */
        boolean parked;
        boolean running;
        int runningIncarnation;
        long lastCallEnd = -1;
        long lastCallStart = -1;
        boolean lastCallFailed;
        int lastIncarnation = -1;
        final List<SimCluster.Stored> forwards = new ArrayList<>();
        final List<SimCluster.Stored> acknowledged = new ArrayList<>();

        Story(Schedule.Input input, long offset) {
            this.input = input;
            this.offset = offset;
        }
    }

    /** One (partition, key)'s calls. */
    private static final class KeyCalls {
        long lastOffset = -1;
        long lastCallAt;
        int incarnation = -1;
        Story running;
    }

    private final SimWorld world;
    private final String inputTopic;
    private final String group;
    private final Map<Long, Story> byId = new HashMap<>();
    private final Map<TopicPartition, List<Story>> byPartition = new HashMap<>();
    private final Map<TopicPartition, Long> verifiedUpTo = new HashMap<>();
    private final Map<TopicPartition, List<long[]>> rereads = new HashMap<>();
    private final Map<String, KeyCalls> keys = new HashMap<>();
    private final List<String> violations = new ArrayList<>();
    private final List<String> trace = new ArrayList<>();
    private final boolean tracing;

    SimHistory(SimWorld world, String inputTopic, String group, boolean tracing) {
        this.world = world;
        this.inputTopic = inputTopic;
        this.group = group;
        this.tracing = tracing;
    }

    void trace(String event) {
        if (tracing && !world.scheduler().ended()) {
            synchronized (trace) {
                trace.add(world.scheduler().now() - SimWorld.START + " " + event);
            }
        }
    }

    List<String> trace() {
        synchronized (trace) {
            return List.copyOf(trace);
        }
    }

    List<String> violations() {
        return violations;
    }

    /** Fails the run with {@code what}. */
    void violation(String what, Throwable cause) {
        if (world.scheduler().ended()) {
            return; // only the first violation counts; after it the threads wind down in any order
        }
        String text = "at " + (world.scheduler().now() - SimWorld.START) + " ms: " + what;
        violations.add(text);
        trace("VIOLATION " + what);
        AssertionError error = new AssertionError(text);
        if (cause != null) {
            error.initCause(cause);
        }
        world.scheduler().fail(error);
    }

    Story story(long id) {
        return byId.get(id);
    }

    Iterable<Story> stories() {
        return byId.values();
    }

    // ---- the cluster ----

    void appended(SimCluster.Stored stored) {
        if (stored.partition.topic().equals(inputTopic)) {
            return; // recorded by input()
        }
        if (stored.partition.topic().equals(world.orderTopic())) {
            orderEntry(stored);
            return;
        }
        Story story = byId.get(SimWorld.idOf(stored.value));
        if (story == null) {
            violation("a record nobody sent reached " + stored.partition, null);
            return;
        }
        story.forwards.add(stored);
        if (world.keyOrder() != null && world.stageKind() == io.superflux.retry.Stage.Kind.MAIN) {
            int target = RetryHeaders.text(stored.headers, RetryHeaders.STAGE).map(Integer::parseInt).orElse(-1);
            if (target == world.deadLetterStage()
                    && world.keyOrder().afterDeadLetter() == io.superflux.task.KeyOrder.AfterDeadLetter.RELEASE) {
                reachedFinalOutcome(story, "dead-lettered");
            }
            world.forwardWritten(stored);
        }
        trace("forward of #" + story.input.id() + " written to " + stored.partition + "@" + stored.offset
                + (stored.transaction != null ? " in a transaction" : ""));
    }

    // ---- ordered retries ----

    /** When each record reached its final outcome first (ordered retries, main stage): handled, dead-lettered, done in the chain. */
    private final Map<Long, Long> finalAt = new HashMap<>();
    /** The done entries written, by partition, key and leader offset. */
    private final Set<String> doneEntries = new java.util.HashSet<>();

    private void orderEntry(SimCluster.Stored stored) {
        io.superflux.internal.stage.order.OrderEntries.read(new org.apache.kafka.clients.consumer.ConsumerRecord<>(
                stored.partition.topic(), stored.partition.partition(), stored.offset, stored.key, stored.value)).ifPresent(entry -> {
            trace("order entry " + (char) entry.type() + "|" + entry.offset() + "|"
                    + new String(entry.recordKey(), java.nio.charset.StandardCharsets.UTF_8) + (entry.removed() ? " removed" : "")
                    + " at " + stored.partition + "@" + stored.offset);
            if (entry.type() != 'D' || entry.removed()) {
                return;
            }
            String key = new String(entry.recordKey(), java.nio.charset.StandardCharsets.UTF_8);
            doneEntries.add(stored.partition.partition() + "/" + key + "/" + entry.offset());
            trace("done entry of key " + key + "'s leader at " + entry.offset() + " written to " + stored.partition);
            List<Story> stories = byPartition.getOrDefault(new TopicPartition(inputTopic, stored.partition.partition()), List.of());
            if (world.stageKind() == io.superflux.retry.Stage.Kind.MAIN && entry.offset() < stories.size()) {
                Story leader = stories.get((int) entry.offset());
                if (!key.equals(leader.input.key())) {
                    violation("a done entry of key " + key + " names offset " + entry.offset() + ", which is " + leader.input, null);
                    return;
                }
                reachedFinalOutcome(leader, "done in the chain");
            }
        });
    }

    private void parkedEntryAcknowledged(SimCluster.Stored stored) {
        io.superflux.internal.stage.order.OrderEntries.read(new org.apache.kafka.clients.consumer.ConsumerRecord<>(
                stored.partition.topic(), stored.partition.partition(), stored.offset, stored.key, stored.value)).ifPresent(entry -> {
            List<Story> stories = byPartition.getOrDefault(new TopicPartition(inputTopic, stored.partition.partition()), List.of());
            if (entry.type() == 'P' && !entry.removed() && entry.offset() < stories.size()) {
                Story story = stories.get((int) entry.offset());
                story.parked = true;
                trace("#" + story.input.id() + " parked at " + stored.partition + "@" + stored.offset);
            }
        });
    }

    private void reachedFinalOutcome(Story story, String how) {
        if (finalAt.putIfAbsent(story.input.id(), world.scheduler().now()) == null) {
            trace("#" + story.input.id() + " reached its final outcome: " + how);
        }
    }

    /**
     * Ordered retries: a record of a key is first called only once every earlier record of its
     * key (in its partition) reached its final outcome.
     */
    private boolean calledInKeyOrder(Story story) {
        if (world.keyOrder() == null || world.stageKind() != io.superflux.retry.Stage.Kind.MAIN || story.calls > 0
                || story.input.key() == null) {
            return true;
        }
        List<Story> stories = byPartition.get(new TopicPartition(inputTopic, story.input.partition()));
        for (int offset = 0; offset < story.offset; offset++) {
            Story earlier = stories.get(offset);
            if (story.input.key().equals(earlier.input.key()) && !finalAt.containsKey(earlier.input.id())) {
                violation("ordered retries: " + story.input + " called first while " + earlier.input + " of its key has not"
                        + " reached its final outcome", null);
                return false;
            }
        }
        return true;
    }

    /**
     * Ordered retries, retry stage under test: every leader handled here, and every leader it
     * dead-lettered when dead letters release their key, has its done entry.
     */
    void checkDoneEntries(int deadLetterStage) {
        if (world.keyOrder() == null) {
            return;
        }
        if (world.stageKind() == io.superflux.retry.Stage.Kind.MAIN) {
            for (Story story : byId.values()) {
                if (!story.handled && !forwardDone(story)) {
                    violation("ordered retries: at the end " + story.input + " was parked and never called", null);
                    return;
                }
            }
            return;
        }
        boolean releases = world.keyOrder().afterDeadLetter() == io.superflux.task.KeyOrder.AfterDeadLetter.RELEASE;
        for (Story story : byId.values()) {
            if (story.input.key() == null) {
                continue;
            }
            boolean deadLettered = story.forwards.stream().anyMatch(forward -> RetryHeaders.text(forward.headers,
                    RetryHeaders.STAGE).map(Integer::parseInt).orElse(-1) == deadLetterStage);
            String done = story.input.partition() + "/" + story.input.key() + "/" + SimWorld.leaderOf(story.input);
            if ((story.handled || deadLettered && releases) && !doneEntries.contains(done)) {
                violation("ordered retries: " + story.input + " reached its final outcome here, but no done entry says so", null);
                return;
            }
        }
    }

    /** An input record was appended at {@code offset}. */
    void input(Schedule.Input input, TopicPartition partition, long offset) {
        Story story = new Story(input, offset);
        byId.put(input.id(), story);
        byPartition.computeIfAbsent(partition, p -> new ArrayList<>()).add(story);
    }

    void acknowledged(SimCluster.Stored stored, int incarnation) {
        if (stored.partition.topic().equals(world.orderTopic())) {
            parkedEntryAcknowledged(stored);
            return;
        }
        Story story = byId.get(SimWorld.idOf(stored.value));
        if (story != null) {
            story.acknowledged.add(stored);
        }
    }

    /** Whether a forward of {@code story} is visible and known to the engine as written. */
    private boolean forwardDone(Story story) {
        for (SimCluster.Stored forward : story.acknowledged) {
            if (forward.committed()) {
                return true;
            }
        }
        return false;
    }

    boolean complete(Story story) {
        return story.handled || forwardDone(story) || story.parked;
    }

    void committed(String committingGroup, TopicPartition partition, long before, long after, String how) {
        trace("commit " + partition + " " + before + " -> " + after + " (" + how + ")");
        if (!committingGroup.equals(group)) {
            violation("commit for group " + committingGroup + ", not the stage's " + group, null);
            return;
        }
        if (after < before) {
            violation("the committed offset of " + partition + " went back from " + before + " to " + after + " (" + how + ")",
                    null);
            return;
        }
        List<Story> stories = byPartition.getOrDefault(partition, List.of());
        if (after > stories.size()) {
            violation("commit of " + partition + " at " + after + " beyond its log end " + stories.size(), null);
            return;
        }
        long from = verifiedUpTo.getOrDefault(partition, 0L);
        for (long offset = from; offset < after; offset++) {
            Story story = stories.get((int) offset);
            if (!complete(story)) {
                violation("commit of " + partition + " at " + after + " (" + how + ") passes " + story.input
                        + " at offset " + offset + ", which is not complete (calls " + story.calls + ", forwards "
                        + story.forwards.size() + ", acknowledged " + story.acknowledged.size() + ")", null);
                return;
            }
        }
        verifiedUpTo.put(partition, Math.max(from, after));
    }

    void transactionCommitted(SimCluster.Transaction transaction) {
        trace("transaction of incarnation " + transaction.incarnation + " committed: " + transaction.records.size()
                + " forward(s), offsets " + transaction.offsets);
        for (SimCluster.Stored forward : transaction.records) {
            Story story = byId.get(SimWorld.idOf(forward.value));
            TopicPartition source = new TopicPartition(inputTopic, story.input.partition());
            org.apache.kafka.clients.consumer.OffsetAndMetadata committed = world.cluster().committed(group, source);
            if (committed == null || committed.offset() <= story.offset) {
                violation("a transaction made the forward of " + story.input + " visible without its offset (committed: "
                        + (committed == null ? "none" : committed.offset()) + ")", null);
                return;
            }
            long visible = story.forwards.stream().filter(SimCluster.Stored::committed).count();
            if (visible > 1) {
                violation("exactly-once: " + visible + " forwards of " + story.input + " are visible", null);
                return;
            }
        }
    }

    void transactionAborted(SimCluster.Transaction transaction) {
        trace("transaction of incarnation " + transaction.incarnation + " aborted: " + transaction.records.size()
                + " forward(s)");
    }

    // ---- the consumer ----

    void positioned(TopicPartition partition, long before, long after, String why) {
        trace("position " + partition + " " + before + " -> " + after + " (" + why + ")");
        if (after <= before || before < 0) {
            rereads.computeIfAbsent(partition, p -> new ArrayList<>()).add(new long[] {world.scheduler().now(), after});
        }
        if (before >= 0 && after > before && why.equals("seek")) {
            violation("a seek moved " + partition + " forward from " + before + " to " + after + ": records skipped", null);
        }
    }

    void assigned(TopicPartition partition) {
        trace("assigned " + partition);
        rereads.computeIfAbsent(partition, p -> new ArrayList<>()).add(new long[] {world.scheduler().now(), -1});
    }

    void fetched(TopicPartition partition, long from, long to) {
        trace("fetched " + partition + " " + from + ".." + (to - 1));
    }

    /**
     * Whether {@code partition} was read again from at or below {@code offset} since {@code since}
     * — not counting a seek back to the record itself at {@code holdAt} (when its call failed): that
     * is the stage holding the record for its next in-place attempt.
     */
    private boolean rereadSince(TopicPartition partition, long offset, long since, long holdAt) {
        for (long[] reread : rereads.getOrDefault(partition, List.of())) {
            boolean hold = reread[0] == holdAt && reread[1] == offset;
            if (reread[0] >= since && (reread[1] < 0 || reread[1] <= offset) && !hold) {
                return true;
            }
        }
        return false;
    }

    // ---- the task ----

    void valueRead(Story story) {
        story.valueReads++;
    }

    void callStarted(Story story, int incarnation, boolean lanes) {
        long now = world.scheduler().now();
        Schedule.Input input = story.input;
        trace("call #" + input.id() + " (offset " + story.offset + ", incarnation " + incarnation + ", "
                + Thread.currentThread().getName() + ")");
        long due = world.dueTime(input);
        if (due != Long.MIN_VALUE && story.calls == 0) {
            latest = Math.max(latest, now - due);
        }
        if (due > now) {
            violation("called " + input + " " + (due - now) + " ms before its due time", null);
            return;
        }
        if (!calledInKeyOrder(story)) {
            return;
        }
        TopicPartition partition = new TopicPartition(inputTopic, input.partition());
        boolean reread = rereadSince(partition, story.offset, story.lastCallStart, story.lastCallEnd);
        if (reread || story.lastIncarnation != incarnation) {
            story.failedInRow = 0;
        }
        if (story.lastCallFailed && story.lastIncarnation == incarnation && world.inPlaceBackoff() > 0 && !reread
                && story.failedInRow <= world.inPlaceAttempts() && world.retriesInPlace() && world.retriedInPlace(input)
                && now - story.lastCallEnd < world.inPlaceBackoff() && story.input.behaviour() != Schedule.Behaviour.HANG_ONCE) {
            violation("called " + input + " again " + (now - story.lastCallEnd) + " ms after it failed; the in-place backoff is "
                    + world.inPlaceBackoff() + " ms", null);
            return;
        }
        if (input.key() != null) {
            KeyCalls calls = keys.computeIfAbsent(input.partition() + "/" + input.key(), k -> new KeyCalls());
            if (calls.running != null && calls.incarnation == incarnation && world.isAlive(incarnation)) {
                violation("key " + input.key() + ": " + input + " called while " + calls.running.input + " still runs", null);
                return;
            }
            if (calls.incarnation == incarnation && story.offset < calls.lastOffset
                    && !rereadSince(partition, story.offset, calls.lastCallAt, -1)) {
                violation("key order: " + input + " at offset " + story.offset + " called after offset " + calls.lastOffset
                        + " of key " + input.key() + " without the partition being read again", null);
                return;
            }
            calls.running = story;
            calls.incarnation = incarnation;
            calls.lastOffset = story.offset;
            calls.lastCallAt = now;
        }
        story.calls++;
        story.lastCallStart = now;
        story.running = true;
        story.runningIncarnation = incarnation;
    }

    void callEnded(Story story, int incarnation, boolean handled) {
        trace("call #" + story.input.id() + " " + (handled ? "handled" : "failed"));
        story.running = false;
        story.lastCallEnd = world.scheduler().now();
        story.lastCallFailed = !handled;
        story.failedInRow = handled ? 0 : story.failedInRow + 1;
        story.lastIncarnation = incarnation;
        if (handled) {
            story.handled = true;
            if (world.stageKind() == io.superflux.retry.Stage.Kind.MAIN) {
                reachedFinalOutcome(story, "handled");
            }
        }
        if (story.input.key() != null) {
            KeyCalls calls = keys.get(story.input.partition() + "/" + story.input.key());
            if (calls != null && calls.running == story) {
                calls.running = null;
            }
        }
    }

    // ---- how long things took ----

    private long longestRevocation;
    private long latest;

    /** How late after its due time a record was called first, at most (retry and dead-letter stages). */
    long latestFirstCall() {
        return latest;
    }

    private long longestStop;

    void revocationTook(long millis) {
        longestRevocation = Math.max(longestRevocation, millis);
    }

    void stopTook(long millis) {
        longestStop = Math.max(longestStop, millis);
    }

    /** The longest a revocation took, in simulated ms. */
    long longestRevocation() {
        return longestRevocation;
    }

    /** The longest a graceful stop took (that did not need its calls interrupted), in simulated ms. */
    long longestStop() {
        return longestStop;
    }

    // ---- the end ----

    /** Whether every record that arrived is committed. */
    boolean allCommitted() {
        for (Map.Entry<TopicPartition, List<Story>> entry : byPartition.entrySet()) {
            org.apache.kafka.clients.consumer.OffsetAndMetadata committed = world.cluster().committed(group, entry.getKey());
            if (!entry.getValue().isEmpty() && (committed == null || committed.offset() < entry.getValue().size())) {
                return false;
            }
        }
        return true;
    }

    /** What is not committed yet, for a report. */
    String uncommitted() {
        StringBuilder text = new StringBuilder();
        byPartition.forEach((partition, stories) -> {
            org.apache.kafka.clients.consumer.OffsetAndMetadata committed = world.cluster().committed(group, partition);
            long at = committed == null ? 0 : committed.offset();
            if (at < stories.size()) {
                text.append(' ').append(partition).append(" committed ").append(committed == null ? "none" : at)
                        .append(" of ").append(stories.size()).append(" (next ").append(stories.get((int) at).input).append(')');
            }
        });
        return text.toString();
    }

    /**
     * The end of a run that reached quiescence: every record complete, and each forward where its
     * calls say it may go, with Flux's headers and the record's own bytes.
     */
    void checkOutcomes(Set<Integer> allowedTargetsForFailures, int deadLetterStage, Map<Integer, String> topicOfStage,
                       boolean exactlyOnce) {
        for (Story story : byId.values()) {
            if (!complete(story)) {
                violation("at the end, " + story.input + " is not complete", null);
                return;
            }
            long visible = story.forwards.stream().filter(SimCluster.Stored::committed).count();
            if (exactlyOnce && visible > 1) {
                violation("exactly-once: " + visible + " forwards of " + story.input + " are visible", null);
                return;
            }
            for (SimCluster.Stored forward : story.forwards) {
                if (!forward.committed()) {
                    continue;
                }
                int target = RetryHeaders.text(forward.headers, RetryHeaders.STAGE).map(Integer::parseInt).orElse(-1);
                if (!Objects.equals(topicOfStage.get(target), forward.partition.topic())) {
                    violation("forward of " + story.input + " to " + forward.partition + " says stage " + target, null);
                    return;
                }
                if (!world.allowedTargets(story.input).contains(target)) {
                    violation("forward of " + story.input + " went to stage " + target + ", allowed: "
                            + world.allowedTargets(story.input), null);
                    return;
                }
            }
        }
    }
}
