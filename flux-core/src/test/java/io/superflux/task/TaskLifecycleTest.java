package io.superflux.task;

import static io.superflux.task.TaskTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.micrometer.core.instrument.Counter;
import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.retry.Stage;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

/**
 * A task's lifecycle against the broker: open before the first call, the partition hooks around
 * the calls of their partitions, close after the final commit; an open that throws, a stage that
 * fails, a rebalance that moves partitions to another worker.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class TaskLifecycleTest {
    /** One line per event, in the order they happened, across every task instance of a test. */
    private final List<String> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    /** Records its lifecycle in {@link #events}; {@code name} tells two instances apart. */
    private class LifecycleTask extends Task<String> {
        final String name;
        final EmbeddedKafka kafka;
        volatile TaskContext context;
        volatile Counter orders;
        volatile long committedAtClose = -2;

        LifecycleTask(String name, String topic, EmbeddedKafka kafka) {
            super(TaskSpec.topic(topic).group("lifecycle").retries(1));
            this.name = name;
            this.kafka = kafka;
        }

        @Override
        public void open(TaskContext context) throws Exception {
            this.context = context;
            orders = Counter.builder("lifecycle.orders").tag("task", name).register(context.meterRegistry());
            events.add(name + " open");
        }

        @Override
        public void onAssigned(Stage stage, Collection<TopicPartition> partitions) {
            partitions.forEach(p -> events.add(name + " assigned " + stage.number() + "/" + p.partition()));
        }

        @Override
        public void call(Message<String> message) throws Exception {
            events.add(name + " call " + message.stage() + "/" + message.partition() + " " + message.value());
            orders.increment();
            if (message.value().startsWith("fail") && message.stage() == 0) {
                throw new IllegalStateException("fails once");
            }
        }

        @Override
        public void onRevoked(Stage stage, Collection<TopicPartition> partitions) {
            partitions.forEach(p -> events.add(name + " revoked " + stage.number() + "/" + p.partition()));
        }

        @Override
        public void close() throws Exception {
            committedAtClose = TaskTestSupport.committed(kafka, "lifecycle", new TopicPartition(spec().topic(), 0))
                    + TaskTestSupport.committed(kafka, "lifecycle", new TopicPartition(spec().topic(), 1));
            events.add(name + " close");
        }
    }

    @Test
    void openBeforeTheFirstCallHooksAroundTheCallsCloseAfterTheFinalCommit(EmbeddedKafka kafka) throws Exception {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("lifecycle", 2);
        LifecycleTask task = new LifecycleTask("a", topic, kafka);
        TaskTestSupport.produce(topic, 20, i -> "k" + i);
        io.superflux.producer.Producer.of(io.superflux.producer.ProducerSpec.topic(topic)).produce("fail-0", "f")
                .get(30, TimeUnit.SECONDS); // fails once in stage 0, handled in stage 1
        Worker worker = SuperFlux.start(task);
        await(Duration.ofSeconds(60), () -> calls("a", 1) >= 1 && calls("a", 0) >= 21, events::toString);
        assertEquals(List.of(0, 1, 2), task.context.stages().stream().map(Stage::number).toList());
        assertEquals("lifecycle", task.context.plan().group());
        assertEquals("LifecycleTask", task.context.taskName());
        assertTrue(task.context.meterRegistry() == SuperFlux.meterRegistry()
                && SuperFlux.meterRegistry().find("lifecycle.orders").tag("task", "a").counter() == task.orders,
                "the task's own meter is in Flux's registry");
        worker.stop();

        assertEquals("a open", events.get(0));
        assertEquals("a close", events.get(events.size() - 1));
        assertEquals(1, events.stream().filter("a close"::equals).count());
        assertEquals(21, task.committedAtClose, "close ran after the final commit of both partitions: " + events);
        checkHooksAroundCalls(events, "a");
        Set<String> assigned = new HashSet<>();
        Set<String> revoked = new HashSet<>();
        for (String event : events) {
            String[] words = event.split(" ");
            if (words[1].equals("assigned")) {
                assertTrue(assigned.add(words[2]), "assigned twice: " + event);
            } else if (words[1].equals("revoked")) {
                assertTrue(revoked.add(words[2]), "revoked twice: " + event);
            }
        }
        assertEquals(Set.of("0/0", "0/1", "1/0", "1/1", "2/0", "2/1"), assigned, "each stage held both partitions");
        assertEquals(assigned, revoked, "every partition given was given back at the stop");
    }

    @Test
    void anOpenThatThrowsStartsNothingAndCloseIsNotCalled(EmbeddedKafka kafka) throws Exception {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("lifecycle-open", 2);
        TaskTestSupport.produce(topic, 5, i -> "k" + i);
        LifecycleTask task = new LifecycleTask("a", topic, kafka) {
            @Override
            public void open(TaskContext context) throws Exception {
                events.add("a open");
                throw new java.io.IOException("database at db:5432 refused the connection");
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SuperFlux.start(task));
        assertTrue(e.getMessage().contains(".open(TaskContext) threw java.io.IOException: database at db:5432 refused")
                && e.getMessage().contains("read nothing"), e.getMessage());
        Thread.sleep(500);
        assertEquals(List.of("a open"), events, "no hook, no call, no close");
        assertEquals(-1, TaskTestSupport.committed(kafka, "lifecycle", new TopicPartition(topic, 0)), "nothing consumed");
    }

    @Test
    void aStageThatFailsStopsTheWorkerAndCloseStillRunsOnce(EmbeddedKafka kafka) throws Exception {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("lifecycle-fail", 2);
        TaskTestSupport.produce(topic, 5, i -> "k" + i);
        LifecycleTask task = new LifecycleTask("a", topic, kafka) {
            @Override
            public void onAssigned(Stage stage, Collection<TopicPartition> partitions) {
                if (stage.number() == 1) {
                    throw new IllegalStateException("no cache for stage 1");
                }
                super.onAssigned(stage, partitions);
            }
        };
        Worker worker = SuperFlux.start(task);
        assertTrue(worker.awaitTermination(Duration.ofSeconds(60)), "the failed stage stopped the worker");
        Throwable failure = worker.failure().orElseThrow();
        assertTrue(failure.getMessage().startsWith("stage 1 (retry") && failure.getMessage().contains("onAssigned([0, 1])"
                + " threw java.lang.IllegalStateException: no cache for stage 1"), failure.getMessage());
        assertEquals("a close", events.get(events.size() - 1), events.toString());
        assertEquals(1, events.stream().filter("a close"::equals).count());
        assertFalse(events.stream().anyMatch(event -> event.contains(" 1/")), "stage 1 was given nothing: " + events);
        checkHooksAroundCalls(events, "a");
    }

    @Test
    void onRevokedRunsBeforeAnotherWorkerGetsThePartition(EmbeddedKafka kafka) throws Exception {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("lifecycle-move", 4);
        LifecycleTask first = new LifecycleTask("a", topic, kafka);
        SuperFlux.start(first, "0");
        await(Duration.ofSeconds(30), () -> events.stream().filter(e -> e.startsWith("a assigned")).count() == 4,
                events::toString);
        LifecycleTask second = new LifecycleTask("b", topic, kafka);
        SuperFlux.start(second, "0");
        await(Duration.ofSeconds(60), () -> events.stream().anyMatch(e -> e.startsWith("b assigned")), events::toString);
        TaskTestSupport.produce(topic, 40, i -> "k" + i);
        await(Duration.ofSeconds(60), () -> calls("a", 0) + calls("b", 0) >= 40, events::toString);
        for (int i = 0; i < events.size(); i++) {
            String event = events.get(i);
            if (event.startsWith("b assigned ")) {
                String partition = event.substring("b assigned ".length());
                int revokedAt = events.indexOf("a revoked " + partition);
                assertTrue(revokedAt >= 0 && revokedAt < i, "a gave " + partition + " back before b got it: " + events);
            }
        }
        SuperFlux.shutdown();
        checkHooksAroundCalls(events, "a");
        checkHooksAroundCalls(events, "b");
        assertNotNull(first.context);
    }

    private int calls(String name, int stage) {
        return (int) events.stream().filter(e -> e.startsWith(name + " call " + stage + "/")).count();
    }

    /** Every call of {@code name} falls between its stage's onAssigned and onRevoked of the partition. */
    private static void checkHooksAroundCalls(List<String> events, String name) {
        Map<String, Boolean> holds = new HashMap<>();
        List<String> outside = new ArrayList<>();
        for (String event : events) {
            String[] words = event.split(" ");
            if (!words[0].equals(name) || words.length < 3) {
                continue;
            }
            switch (words[1]) {
                case "assigned" -> holds.put(words[2], true);
                case "revoked" -> holds.put(words[2], false);
                case "call" -> {
                    if (!holds.getOrDefault(words[2], false)) {
                        outside.add(event);
                    }
                }
                default -> { }
            }
        }
        assertEquals(List.of(), outside, "calls outside onAssigned..onRevoked: " + events);
    }
}
