package io.superflux.task;

import static io.superflux.task.TaskTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.retry.StagePlan;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

/** retryInPlace and routeTo against a real broker: what is called again where, and what reaches which topic. */
@ExtendWith(EmbeddedKafkaExtension.class)
class TaskInPlaceRetryTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** A failure the task routes past the next stage. */
    static final class RateLimited extends RuntimeException {
        RateLimited() {
            super("429 from the partner API");
        }
    }

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    private static SimpleMeterRegistry configure(EmbeddedKafka kafka, double timeScale) {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).clientId("in-place-test").retryTimeScale(timeScale)
                .set("flux.consumer.commit-interval", "100ms").meterRegistry(meters).shutdownTimeout(Duration.ofSeconds(20)));
        return meters;
    }

    private static double counter(SimpleMeterRegistry meters, String name, int stage) {
        return meters.get(name).tag("stage", Integer.toString(stage)).functionCounter().count();
    }

    @ParameterizedTest(name = "concurrency {0}")
    @ValueSource(ints = {1, 4})
    void aRecordFailingTwiceWithThreeInPlaceRetriesIsHandledInStageZeroAndNothingIsForwarded(int concurrency,
                                                                                         EmbeddedKafka kafka) throws Exception {
        SimpleMeterRegistry meters = configure(kafka, 0.001);
        String topic = kafka.createUniqueTopic("in-place", 2);
        Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(2).concurrency(concurrency)
                .retryInPlace(3, Duration.ofSeconds(1)), message -> {
                    if (failuresLeft.computeIfAbsent(message.value(), v -> new AtomicInteger(2)).getAndDecrement() > 0) {
                        throw new IllegalStateException("blip for " + message.value());
                    }
                });
        StagePlan plan = task.spec().plan();
        Worker worker = SuperFlux.start(task);
        int records = 12;
        TaskTestSupport.produce(topic, records, i -> "k" + (i % 5));

        await(WAIT, () -> task.handled.size() == records, () -> "handled " + task.handled.size() + " of " + records);
        assertTrue(task.handled.stream().allMatch(m -> m.stage() == 0), "all handled in stage 0");
        assertEquals(3 * records, task.callsInStage(0).size(), "three calls per record");
        // The meters count an outcome once the stage thread carries it out, a moment after the call returned.
        await(WAIT, () -> counter(meters, "flux.task.retried.in.place", 0) == 2.0 * records,
                () -> "retried in place " + counter(meters, "flux.task.retried.in.place", 0));
        assertEquals(2.0 * records, counter(meters, "flux.task.failures", 0));
        assertEquals(0.0, counter(meters, "flux.task.forwarded", 0));
        // Per key, calls stay in offset order: a record's retries come before the next record of its key.
        Map<String, List<String>> valuesByKey = new HashMap<>();
        for (ScriptedTask.Call call : task.callsInStage(0)) {
            valuesByKey.computeIfAbsent(call.message().key(), k -> new ArrayList<>()).add(call.message().value());
        }
        valuesByKey.forEach((key, values) -> {
            for (int i = 0; i < values.size(); i += 3) {
                assertEquals(List.of(values.get(i), values.get(i), values.get(i)), values.subList(i, i + 3),
                        "key " + key + ": " + values);
            }
        });
        worker.stop();
        assertEquals(0, kafka.readAll(plan.stage(1).topic(), 0, Duration.ofMillis(500)).size(), "nothing forwarded");
    }

    @Test
    void inPlaceWaitsHoldThePartitionForTheBackoffAndTheHistoryListsEveryAttempt(EmbeddedKafka kafka) throws Exception {
        configure(kafka, 0.01); // the 20 s backoff waits 200 ms
        String topic = kafka.createUniqueTopic("in-place-history", 1);
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(1)
                .retryInPlace(2, Duration.ofSeconds(20)), message -> {
                    throw new IllegalStateException("down in stage " + message.stage());
                });
        SuperFlux.start(task);
        TaskTestSupport.produce(topic, 1, i -> "k");

        await(WAIT, () -> task.deadLetters.size() == 1, () -> "calls " + task.calls.size());
        Message<String> dead = task.deadLetters.peek();
        assertEquals(List.of(0, 0, 0, 1, 1, 1), dead.failures().stream().map(Failure::stage).toList(), "every attempt");
        assertEquals("down in stage 1", dead.failures().get(5).message());
        List<ScriptedTask.Call> stageZero = task.callsInStage(0);
        assertEquals(3, stageZero.size());
        for (int i = 1; i < stageZero.size(); i++) {
            long gap = stageZero.get(i).at() - stageZero.get(i - 1).at();
            assertTrue(gap >= 200, "attempt " + (i + 1) + " came " + gap + " ms after the one before, not after the backoff");
        }
    }

    @Test
    void aRoutedExceptionSkipsToItsStageAndAFatalOneToTheDeadLettersWithoutInPlaceRetries(EmbeddedKafka kafka)
            throws Exception {
        SimpleMeterRegistry meters = configure(kafka, 0.001);
        String topic = kafka.createUniqueTopic("routed", 1);
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(3)
                .fatal(IllegalArgumentException.class).routeTo(3, RateLimited.class).retryInPlace(2, Duration.ofSeconds(1)),
                message -> {
                    if (message.value().equals("0") && message.stage() == 0) {
                        throw new RateLimited();
                    }
                    if (message.value().equals("1")) {
                        throw new IllegalArgumentException("malformed order");
                    }
                });
        StagePlan plan = task.spec().plan();
        SuperFlux.start(task);
        TaskTestSupport.produce(topic, 2, i -> "k" + i);

        await(WAIT, () -> task.handled.size() == 1 && task.deadLetters.size() == 1,
                () -> "handled " + task.handled + ", dead " + task.deadLetters);
        Message<String> routed = task.handled.peek();
        assertEquals(3, routed.stage(), "straight to stage 3");
        assertEquals(List.of(0), routed.failures().stream().map(Failure::stage).toList());
        assertEquals(List.of(0, 3), task.calls.stream().filter(c -> c.message().value().equals("0"))
                .map(c -> c.message().stage()).toList(), "one call in stage 0, none in 1 and 2");
        assertEquals(1, task.calls.stream().filter(c -> c.message().value().equals("1")).count(), "fatal: one call");
        assertEquals(0.0, counter(meters, "flux.task.retried.in.place", 0));
        assertEquals(0, kafka.readAll(plan.stage(1).topic(), 0, Duration.ofMillis(300)).size());
        assertEquals(0, kafka.readAll(plan.stage(2).topic(), 0, Duration.ofMillis(300)).size());
    }
}
