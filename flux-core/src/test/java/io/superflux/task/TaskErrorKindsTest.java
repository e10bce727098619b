package io.superflux.task;

import static io.superflux.task.TaskTestSupport.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.producer.Producer;
import io.superflux.producer.ProducerSpec;
import io.superflux.retry.Backoff;
import io.superflux.retry.StagePlan;
import io.superflux.testing.Failures.UnprintableException;
import io.superflux.testing.Failures;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

/**
 * Whatever a call or the dead-letter hook throws — a checked exception thrown
 * sneakily (as Kotlin or Jackson do), a StackOverflowError, an exception whose getMessage() itself
 * throws — the record takes the path its kind of failure calls for and the stage keeps running;
 * the same in sequential and in key-ordered concurrent mode. A stage that died on such a record
 * would die again on every restart (a crash loop).
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class TaskErrorKindsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    /**
     * Reads UTF-8, but rejects the value "unreadable" as a bad value (a SerializationException: what
     * a deserializer throws for a value no retry can read; anything else it throws means a failed
     * dependency and is read again — RecordRunnerTest and TaskSerdeTest).
     */
    static final class RejectingDeserializer implements Deserializer<String> {
        @Override
        public String deserialize(String topic, byte[] data) {
            String text = new String(data, UTF_8);
            if (text.equals("unreadable")) {
                throw new SerializationException("not a value: " + text);
            }
            return text;
        }
    }

    /** Fails in stage 0 in the way its value says; the dead-letter hook overflows the stack once. */
    static final class ErrorTask extends Task<String> {
        final ConcurrentLinkedQueue<Message<String>> handled = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Message<String>> deadLetters = new ConcurrentLinkedQueue<>();
        final AtomicBoolean hookOverflowed = new AtomicBoolean();

        ErrorTask(TaskSpec<String> spec) {
            super(spec);
        }

        @Override
        public void call(Message<String> message) throws Exception {
            if (message.stage() == 0) {
                switch (message.value()) {
                    case "deep" -> Failures.recurse(0);
                    case "unprintable" -> throw new UnprintableException();
                    case "checked" -> throw Failures.<Exception>sneaky(new IOException("a checked failure"));
                    case "assertion" -> throw new AssertionError("an Error that is not fatal to the JVM");
                    default -> { }
                }
            }
            handled.add(message);
        }

        @Override
        public void deadLetter(Message<String> message) {
            if (hookOverflowed.compareAndSet(false, true)) {
                Failures.recurse(0);
            }
            deadLetters.add(message);
        }
    }

    @ParameterizedTest(name = "concurrency {0}")
    @ValueSource(ints = {1, 4})
    void everyKindOfThrowableTakesItsPathAndTheStageKeepsRunning(int concurrency, EmbeddedKafka kafka) throws Exception {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("errors", 2);
        ErrorTask task = new ErrorTask(TaskSpec.topic(topic).group("g").retries(2).concurrency(concurrency)
                .backoff(Backoff.fixed(Duration.ofSeconds(10))).deserializer(new RejectingDeserializer()));
        StagePlan plan = task.spec().plan();
        Worker worker = SuperFlux.start(task);
        List<String> values = List.of("ok-1", "unreadable", "deep", "unprintable", "checked", "assertion", "ok-2");
        Producer<String> producer = Producer.of(ProducerSpec.topic(topic));
        for (int i = 0; i < values.size(); i++) {
            producer.produce(values.get(i), "key-" + i).get(10, TimeUnit.SECONDS);
        }

        await(WAIT, () -> task.handled.size() == 6 && task.deadLetters.size() == 1 || !worker.isRunning(),
                () -> "handled " + task.handled + ", dead letters " + task.deadLetters);
        assertTrue(worker.isRunning(), "the worker still runs: " + worker.failure());
        assertEquals(Map.of("ok-1", 0, "ok-2", 0, "deep", 1, "unprintable", 1, "checked", 1, "assertion", 1),
                task.handled.stream().collect(Collectors.toMap(Message::value, Message::stage)),
                "failures of call are retried in stage 1");

        Message<String> dead = task.deadLetters.peek();
        assertNull(dead.value(), "the dead-letter stage gets the undeserializable record with its raw bytes");
        assertEquals("unreadable", new String(dead.rawValue(), UTF_8));
        assertEquals(List.of(0), dead.failures().stream().map(Failure::stage).toList(), "straight from stage 0");
        String why = new String(dead.record().headers().lastHeader("flux-exception-message").value(), UTF_8);
        assertTrue(why.contains("org.apache.kafka.common.errors.SerializationException: not a value: unreadable"), why);
        assertTrue(task.hookOverflowed.get(), "the hook's StackOverflowError was retried");

        Set<String> retried = kafka.readAll(plan.stage(1).topic(), 4, WAIT).stream()
                .map(r -> new String(r.value(), UTF_8)).collect(Collectors.toSet());
        assertEquals(Set.of("deep", "unprintable", "checked", "assertion"), retried, "only call failures reach stage 1");
        String unprintableMessage = kafka.readAll(plan.stage(1).topic(), 4, WAIT).stream()
                .filter(r -> new String(r.value(), UTF_8).equals("unprintable"))
                .map(r -> new String(r.headers().lastHeader("flux-exception-message").value(), UTF_8))
                .findFirst().orElseThrow();
        assertTrue(unprintableMessage.contains("getMessage() threw java.lang.IllegalStateException"), unprintableMessage);
        assertEquals(0, kafka.readAll(plan.stage(2).topic(), 0, Duration.ofMillis(500)).size());
        assertTrue(worker.failure().isEmpty());
    }
}
