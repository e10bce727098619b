package io.superflux.task;

import static io.superflux.task.TaskTestSupport.await;
import static io.superflux.task.TaskTestSupport.committed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.retry.StagePlan;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

/** Batch tasks against a real broker: which records of a batch go on, and what a stop or a revocation commits. */
@ExtendWith(EmbeddedKafkaExtension.class)
class TaskBatchTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** A row no retry can fix: declared fatal where a test says so. */
    static final class InvalidRow extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidRow(String message) {
            super(message);
        }
    }

    /** What a test's batch task does with a batch in a stage. */
    interface Behaviour {
        void call(Batch<String> batch, int stage) throws Exception;
    }

    /** A batch task that records its batches and what it handled, and does what the test says. */
    static final class RecordingBatchTask extends BatchTask<String> {
        final ConcurrentLinkedQueue<List<Message<String>>> batches = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Message<String>> handled = new ConcurrentLinkedQueue<>();
        final CountDownLatch mainStageAssigned = new CountDownLatch(1);
        private final Behaviour behaviour;

        RecordingBatchTask(TaskSpec<String> spec, Behaviour behaviour) {
            super(spec);
            this.behaviour = behaviour;
        }

        @Override
        public void call(Batch<String> batch) throws Exception {
            batches.add(batch.messages());
            behaviour.call(batch, batch.messages().get(0).stage());
            for (Message<String> message : batch) {
                if (batch.failureOf(message) == null) {
                    handled.add(message);
                }
            }
        }

        @Override
        public void onAssigned(io.superflux.retry.Stage stage, java.util.Collection<TopicPartition> partitions) {
            if (stage.number() == 0 && !partitions.isEmpty()) {
                mainStageAssigned.countDown();
            }
        }

        Set<String> handledIn(int stage) {
            return handled.stream().filter(m -> m.stage() == stage).map(Message::value).collect(Collectors.toSet());
        }
    }

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    private static SimpleMeterRegistry configure(EmbeddedKafka kafka, Duration shutdownTimeout) {
        return configure(kafka, shutdownTimeout, c -> { });
    }

    private static SimpleMeterRegistry configure(EmbeddedKafka kafka, Duration shutdownTimeout,
                                                 java.util.function.Consumer<io.superflux.Configurer> more) {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        SuperFlux.configure(c -> {
            c.brokers(kafka.bootstrapServers()).clientId("batch-test").retryTimeScale(0.001)
                    .set("flux.consumer.commit-interval", "100ms").meterRegistry(meters).shutdownTimeout(shutdownTimeout);
            more.accept(c);
        });
        return meters;
    }

    private static Set<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).collect(Collectors.toSet());
    }

    @Test
    void failuresAtTheFirstMiddleAndLastPositionsForwardExactlyThoseRecords(EmbeddedKafka kafka) throws Exception {
        SimpleMeterRegistry meters = configure(kafka, Duration.ofSeconds(20));
        String topic = kafka.createUniqueTopic("batch-marks", 2);
        int records = 200;
        TaskTestSupport.produce(topic, records, i -> "k" + i);
        Set<String> marked = ConcurrentHashMap.newKeySet();
        RecordingBatchTask task = new RecordingBatchTask(TaskSpec.topic(topic).group("g").retries(1)
                .batchLimits(BatchLimits.standard().withMaxRecords(20).withMaxWait(Duration.ofMillis(200))), (batch, stage) -> {
                    if (stage == 0) {
                        List<Message<String>> messages = batch.messages();
                        for (int position : new int[] {0, messages.size() / 2, messages.size() - 1}) {
                            batch.failed(messages.get(position), new IllegalStateException("bad row " + messages.get(position).value()));
                            marked.add(messages.get(position).value());
                        }
                    }
                });
        StagePlan plan = task.spec().plan();
        Worker worker = SuperFlux.start(task);

        await(WAIT, () -> task.handledIn(0).size() + marked.size() == records && task.handledIn(1).size() == marked.size(),
                () -> "handled in stage 0: " + task.handledIn(0).size() + ", marked " + marked.size() + ", handled in stage 1: "
                        + task.handledIn(1).size());
        List<ConsumerRecord<byte[], byte[]>> forwarded = kafka.readAll(plan.stage(1).topic(), marked.size(), WAIT);
        assertEquals(marked, values(forwarded), "exactly the marked records are forwarded");
        assertEquals(marked.size(), forwarded.size(), "each once");
        assertEquals(marked, task.handledIn(1));
        for (Message<String> retried : task.handled.stream().filter(m -> m.stage() == 1).toList()) {
            assertEquals(List.of("bad row " + retried.value()), retried.failures().stream().map(Failure::message).toList(),
                    "each forwarded record carries its own failure");
        }
        Set<String> handledInZero = new HashSet<>(task.handledIn(0));
        handledInZero.retainAll(marked);
        assertTrue(handledInZero.isEmpty(), "no marked record counts as handled in stage 0: " + handledInZero);
        assertTrue(task.batches.stream().filter(b -> b.get(0).stage() == 0).allMatch(b -> b.size() <= 20), "max-records");
        assertTrue(task.batches.stream().anyMatch(b -> b.size() > 1), "records come in batches");
        for (List<Message<String>> batch : task.batches) {
            Map<Integer, Long> last = new HashMap<>();
            for (Message<String> message : batch) {
                Long before = last.put(message.partition(), message.offset());
                assertTrue(before == null || before < message.offset(), "offset order per partition in " + batch);
            }
        }
        await(WAIT, () -> meters.find("flux.task.batch.size").tag("stage", "0").summary() != null
                && meters.get("flux.task.batch.size").tag("stage", "0").summary().totalAmount() == records, () -> "batch size meter");
        assertEquals(1.0 * marked.size(), meters.get("flux.task.failures").tag("stage", "0").functionCounter().count());
        worker.stop();
        worker.awaitTermination();
        for (int partition = 0; partition < 2; partition++) {
            long end = kafka.admin().listOffsets(Map.of(new TopicPartition(topic, partition),
                    org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get(10, TimeUnit.SECONDS)
                    .get(new TopicPartition(topic, partition)).offset();
            assertEquals(end, committed(kafka, "g", new TopicPartition(topic, partition)), "stage 0 committed to the end");
        }
    }

    @Test
    void aThrownExceptionFailsEveryRecordNotMarked(EmbeddedKafka kafka) throws Exception {
        configure(kafka, Duration.ofSeconds(20));
        String topic = kafka.createUniqueTopic("batch-throws", 1);
        int records = 30;
        TaskTestSupport.produce(topic, records, i -> "k" + i);
        Set<String> markedFirst = ConcurrentHashMap.newKeySet();
        RecordingBatchTask task = new RecordingBatchTask(TaskSpec.topic(topic).group("g").retries(1)
                .fatal(InvalidRow.class)
                .batchLimits(BatchLimits.standard().withMaxRecords(10).withMaxWait(Duration.ofMillis(500))), (batch, stage) -> {
                    if (stage == 0) {
                        Message<String> first = batch.messages().get(0);
                        markedFirst.add(first.value());
                        batch.failed(first, new InvalidRow("fatal for " + first.value()));
                        throw new IllegalStateException("the bulk insert failed");
                    }
                });
        StagePlan plan = task.spec().plan();
        SuperFlux.start(task);

        await(WAIT, () -> task.handledIn(1).size() + markedFirst.size() == records,
                () -> "handled in stage 1: " + task.handledIn(1).size() + ", fatal " + markedFirst.size());
        assertTrue(task.handledIn(0).isEmpty(), "nothing handled in stage 0");
        Set<String> all = new TreeSet<>();
        for (int i = 0; i < records; i++) {
            all.add(Integer.toString(i));
        }
        Set<String> rest = new TreeSet<>(all);
        rest.removeAll(markedFirst);
        assertEquals(rest, task.handledIn(1), "every record not marked went to the next stage");
        for (Message<String> retried : task.handled.stream().filter(m -> m.stage() == 1).toList()) {
            assertEquals("the bulk insert failed", retried.failures().get(0).message());
        }
        List<ConsumerRecord<byte[], byte[]>> dead = kafka.readAll(plan.stage(plan.deadLetterStage()).topic(),
                markedFirst.size(), WAIT);
        assertEquals(markedFirst, values(dead), "the marked records, of a fatal type, went to the dead letters");
    }

    @Test
    void aStopDuringABatchFinishesItAndCommitsItsRecords(EmbeddedKafka kafka) throws Exception {
        configure(kafka, Duration.ofSeconds(20));
        String topic = kafka.createUniqueTopic("batch-stop", 1);
        TaskTestSupport.produce(topic, 10, i -> "k" + i);
        CountDownLatch inBatch = new CountDownLatch(1);
        RecordingBatchTask task = new RecordingBatchTask(TaskSpec.topic(topic).group("g").retries(1)
                .batchLimits(BatchLimits.standard().withMaxRecords(10).withMaxWait(Duration.ofSeconds(5))), (batch, stage) -> {
                    inBatch.countDown();
                    Thread.sleep(1_500); // the stop comes meanwhile
                });
        Worker worker = SuperFlux.start(task);
        assertTrue(inBatch.await(30, TimeUnit.SECONDS));
        worker.stop();
        assertTrue(worker.awaitTermination(Duration.ofSeconds(30)));
        int called = task.batches.stream().mapToInt(List::size).sum();
        assertEquals(10, called, "the batch under way was finished, not cut short");
        assertEquals(10, committed(kafka, "g", new TopicPartition(topic, 0)), "and committed");
    }

    @Test
    void aStopThatOutlastsTheTimeoutLeavesTheBatchUncommittedAndItIsReadAgain(EmbeddedKafka kafka) throws Exception {
        configure(kafka, Duration.ofSeconds(1));
        String topic = kafka.createUniqueTopic("batch-stop-timeout", 1);
        TaskTestSupport.produce(topic, 10, i -> "k" + i);
        CountDownLatch inBatch = new CountDownLatch(1);
        RecordingBatchTask hanging = new RecordingBatchTask(TaskSpec.topic(topic).group("g").retries(1)
                .batchLimits(BatchLimits.standard().withMaxRecords(10).withMaxWait(Duration.ofSeconds(5))), (batch, stage) -> {
                    inBatch.countDown();
                    Thread.sleep(120_000); // until the stop interrupts it
                });
        Worker worker = SuperFlux.start(hanging);
        assertTrue(inBatch.await(30, TimeUnit.SECONDS));
        worker.stop();
        assertTrue(worker.awaitTermination(Duration.ofSeconds(30)));
        assertTrue(committed(kafka, "g", new TopicPartition(topic, 0)) <= 0, "nothing of the interrupted batch is committed");
        assertEquals(0, kafka.readAll(hanging.spec().plan().stage(1).topic(), 0, Duration.ofMillis(300)).size(),
                "nor forwarded: an interrupt by the stop is no failure of the records");

        RecordingBatchTask next = new RecordingBatchTask(hanging.spec(), (batch, stage) -> { });
        SuperFlux.start(next);
        await(WAIT, () -> next.handledIn(0).size() == 10, () -> "read again: " + next.handledIn(0));
    }

    @Test
    void aRevocationDuringABatchCommitsItBeforeThePartitionsMove(EmbeddedKafka kafka) throws Exception {
        // One batch per poll, so that the member rejoins between two batches while records are left.
        configure(kafka, Duration.ofSeconds(20), c -> c.consumerProperty("max.poll.records", 25));
        String topic = kafka.createUniqueTopic("batch-revoke", 4);
        int records = 800;
        TaskTestSupport.produce(topic, records, i -> "k" + i);
        CountDownLatch inBatch = new CountDownLatch(1);
        CountDownLatch joined = new CountDownLatch(1);
        TaskSpec<String> spec = TaskSpec.topic(topic).group("g").retries(1)
                .batchLimits(BatchLimits.standard().withMaxRecords(25).withMaxWait(Duration.ZERO));
        RecordingBatchTask second = new RecordingBatchTask(spec, (batch, stage) -> { });
        RecordingBatchTask first = new RecordingBatchTask(spec, (batch, stage) -> {
            if (inBatch.getCount() > 0) {
                inBatch.countDown();
                joined.await(30, TimeUnit.SECONDS); // the second member joins while this batch runs
                Thread.sleep(500);
            } else if (second.mainStageAssigned.getCount() > 0) {
                Thread.sleep(300); // a slow sink until the partitions moved: records are left for the second member
            }
        });
        SuperFlux.start(first);
        assertTrue(inBatch.await(30, TimeUnit.SECONDS));
        SuperFlux.start(second);
        joined.countDown();

        await(WAIT, () -> union(first, second).size() == records, () -> "handled " + union(first, second).size());
        await(WAIT, () -> !second.handled.isEmpty(), () -> "the second member got partitions");
        List<Message<String>> firstBatch = first.batches.peek();
        Set<String> again = second.handledIn(0);
        again.retainAll(firstBatch.stream().map(Message::value).collect(Collectors.toSet()));
        assertTrue(again.isEmpty(), "the batch under way at the revocation was committed, not handled again: " + again);
    }

    @Test
    void outageProtectionWithInPlaceRetriesPausesABatchTaskWhoseBatchesFailWholeAndResumes(EmbeddedKafka kafka)
            throws Exception {
        SimpleMeterRegistry meters = configure(kafka, Duration.ofSeconds(20));
        String topic = kafka.createUniqueTopic("batch-outage", 2);
        java.util.concurrent.atomic.AtomicBoolean databaseDown = new java.util.concurrent.atomic.AtomicBoolean(true);
        RecordingBatchTask task = new RecordingBatchTask(TaskSpec.topic(topic).group("g").retries(2)
                .retryInPlace(1, Duration.ofMillis(20))
                .outageProtection(OutageProtection.standard().failureRate(0.9).minimumCalls(4).window(Duration.ofSeconds(30))
                        .firstProbe(Duration.ofMillis(200)).maxProbeInterval(Duration.ofMillis(800)))
                .batchLimits(BatchLimits.standard().withMaxRecords(10).withMaxWait(Duration.ZERO)), (batch, stage) -> {
                    if (databaseDown.get()) {
                        throw new IllegalStateException("connection refused: database down");
                    }
                });
        Worker worker = SuperFlux.start(task, "0"); // the main stage alone: what it forwards stays in the retry topic
        int records = 400;
        TaskTestSupport.produce(topic, records, i -> "k" + i);

        await(WAIT, () -> meters.get("flux.stage.outage").tag("stage", "0").gauge().value() == 1.0,
                () -> "forwarded " + forwarded(meters) + " of " + records);
        Thread.sleep(1_000);
        assertTrue(forwarded(meters) < 100, "the batches that failed whole paused the stage: " + forwarded(meters) + " forwarded");
        databaseDown.set(false);
        await(WAIT, () -> task.handledIn(0).size() + (int) forwarded(meters) == records,
                () -> "handled " + task.handledIn(0).size() + ", forwarded " + forwarded(meters));
        assertEquals(0.0, meters.get("flux.stage.outage").tag("stage", "0").gauge().value());
        worker.stop();
    }

    @Test
    void exactlyOnceWithInPlaceRetriesForwardsEachMarkedRecordOnceAndCommitsToTheEnd(EmbeddedKafka kafka) throws Exception {
        configure(kafka, Duration.ofSeconds(20), c -> c.set("flux.delivery", "exactly-once")
                .set("flux.consumer.commit-interval", "200ms"));
        String topic = kafka.createUniqueTopic("batch-eos", 2);
        int records = 300;
        TaskTestSupport.produce(topic, records, i -> "k" + (i % 7));
        Map<String, Integer> calls = new ConcurrentHashMap<>();
        RecordingBatchTask task = new RecordingBatchTask(TaskSpec.topic(topic).group("g").retries(1)
                .retryInPlace(1, Duration.ofMillis(50))
                .batchLimits(BatchLimits.standard().withMaxRecords(40).withMaxWait(Duration.ofMillis(50))), (batch, stage) -> {
                    for (Message<String> message : batch) {
                        int value = Integer.parseInt(message.value());
                        int call = calls.merge(stage + "/" + value, 1, Integer::sum);
                        if (stage == 0 && (value % 5 == 0 || value % 7 == 0 && call == 1)) {
                            batch.failed(message, new IllegalStateException("fails: " + value)); // % 7: once, cured in place
                        }
                    }
                });
        StagePlan plan = task.spec().plan();
        Worker worker = SuperFlux.start(task);
        Set<String> forwardedExpected = new TreeSet<>();
        for (int i = 0; i < records; i += 5) {
            forwardedExpected.add(Integer.toString(i));
        }
        await(WAIT, () -> task.handledIn(1).containsAll(forwardedExpected), () -> "handled in stage 1: " + task.handledIn(1).size());
        await(WAIT, () -> handledAnywhere(task).size() == records, () -> "handled " + handledAnywhere(task).size()
                + "; never handled: " + missing(handledAnywhere(task), records) + "; calls: " + calls);
        worker.stop();
        assertTrue(worker.awaitTermination(Duration.ofSeconds(30)));
        List<String> forwarded = TaskExactlyOnceTest.readCommitted(kafka, plan.stage(1).topic(), forwardedExpected.size());
        assertEquals(forwardedExpected.size(), forwarded.size(), "each failed record forwarded once: " + forwarded);
        assertEquals(forwardedExpected, new TreeSet<>(forwarded));
        for (int partition = 0; partition < 2; partition++) {
            TopicPartition input = new TopicPartition(topic, partition);
            long end = kafka.admin().listOffsets(Map.of(input, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                    .all().get(10, TimeUnit.SECONDS).get(input).offset();
            assertEquals(end, committed(kafka, "g", input), "committed to the end through the transactions");
        }
    }

    private static Set<String> missing(Set<String> handled, int records) {
        Set<String> missing = new TreeSet<>();
        for (int i = 0; i < records; i++) {
            if (!handled.contains(Integer.toString(i))) {
                missing.add(Integer.toString(i));
            }
        }
        return missing;
    }

    private static Set<String> handledAnywhere(RecordingBatchTask task) {
        Set<String> all = new HashSet<>(task.handledIn(0));
        all.addAll(task.handledIn(1));
        return all;
    }

    private static double forwarded(SimpleMeterRegistry meters) {
        return meters.get("flux.task.forwarded").tag("stage", "0").functionCounter().count();
    }

    private static Set<String> union(RecordingBatchTask a, RecordingBatchTask b) {
        Set<String> all = new HashSet<>(a.handledIn(0));
        all.addAll(b.handledIn(0));
        return all;
    }
}
