package io.superflux.task;

import static java.nio.charset.StandardCharsets.UTF_8;
import static io.superflux.task.TaskTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.IntegerDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.internal.headers.RetryHeaders;
import io.superflux.producer.Delivery;
import io.superflux.producer.Producer;
import io.superflux.producer.ProducerSpec;
import io.superflux.retry.StagePlan;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

/** A record's way through the stages, hop by hop, against a real broker. */
@ExtendWith(EmbeddedKafkaExtension.class)
class TaskRetryTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
        Header header = record.headers().lastHeader(key);
        return header == null ? null : new String(header.value(), UTF_8);
    }

    @Test
    void aMessageFailingTwiceIsHandledInStageTwoWithTheRightHeadersAtEachHop(EmbeddedKafka kafka) throws Exception {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("twice", 3);
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(3), message -> {
            if (message.stage() < 2) {
                throw new IllegalStateException("attempt in stage " + message.stage());
            }
        });
        StagePlan plan = task.spec().plan();
        Worker worker = SuperFlux.start(task);
        Delivery sent = Producer.of(ProducerSpec.topic(topic))
                .produce("hello", "key-7", Map.of("trace", "t-1", "tenant", "acme")).get(30, TimeUnit.SECONDS);

        await(WAIT, () -> task.handled.size() == 1, () -> "handled " + task.handled);
        Message<String> handled = task.handled.peek();
        assertEquals(2, handled.stage());
        assertEquals("hello", handled.value());
        assertEquals("key-7", handled.key());
        assertEquals(new Origin(topic, sent.partition(), sent.offset(), sent.timestamp()), handled.origin());
        assertEquals(List.of(0, 1), handled.failures().stream().map(Failure::stage).toList());
        assertEquals("attempt in stage 1", handled.failures().get(1).message());
        assertEquals(List.of(0, 1, 2), task.calls.stream().map(c -> c.message().stage()).toList());
        assertEquals(List.of(), List.copyOf(task.earlyCalls));

        for (int stage = 1; stage <= 2; stage++) {
            List<ConsumerRecord<byte[], byte[]>> hop = kafka.readAll(plan.stage(stage).topic(), 1, WAIT);
            assertEquals(1, hop.size(), "one record in stage " + stage);
            ConsumerRecord<byte[], byte[]> record = hop.get(0);
            assertEquals(sent.partition(), record.partition(), "same partition number in stage " + stage);
            assertArrayEquals("key-7".getBytes(UTF_8), record.key());
            assertArrayEquals("hello".getBytes(UTF_8), record.value());
            List<String> appHeaders = new java.util.ArrayList<>();
            for (Header h : record.headers()) {
                if (!h.key().startsWith("flux-")) {
                    appHeaders.add(h.key() + "=" + new String(h.value(), UTF_8));
                }
            }
            assertTrue(appHeaders.containsAll(List.of("trace=t-1", "tenant=acme")) && appHeaders.size() == 2, appHeaders.toString());
            assertEquals(String.valueOf(stage), header(record, RetryHeaders.STAGE));
            assertEquals(String.valueOf(stage - 1), header(record, RetryHeaders.FAILED_STAGE));
            assertEquals("java.lang.IllegalStateException", header(record, RetryHeaders.EXCEPTION_CLASS));
            assertEquals("attempt in stage " + (stage - 1), header(record, RetryHeaders.EXCEPTION_MESSAGE));
            assertEquals(topic, header(record, RetryHeaders.ORIGINAL_TOPIC));
            assertEquals(String.valueOf(sent.partition()), header(record, RetryHeaders.ORIGINAL_PARTITION));
            assertEquals(String.valueOf(sent.offset()), header(record, RetryHeaders.ORIGINAL_OFFSET));
            assertEquals(String.valueOf(sent.timestamp()), header(record, RetryHeaders.ORIGINAL_TIMESTAMP));
            long wait = Long.parseLong(header(record, RetryHeaders.DUE_AT)) - Long.parseLong(header(record, RetryHeaders.FAILED_AT));
            long n = stage;
            // n⁴ + 15 + r·(n+1) seconds, r in 0..29, scaled by 0.001
            assertTrue(wait >= (n * n * n * n + 15) && wait <= n * n * n * n + 15 + 29 * (n + 1), "scaled wait " + wait);
            int fluxHeaders = 0;
            for (Header h : record.headers()) {
                fluxHeaders += h.key().equals(RetryHeaders.STAGE) ? 1 : 0;
            }
            assertEquals(1, fluxHeaders, "flux headers replaced, not accumulated");
        }
        worker.stop();
        assertEquals(0, kafka.readAll(plan.stage(plan.deadLetterStage()).topic(), 0, Duration.ofMillis(300)).size());
    }

    @Test
    void anAlwaysFailingMessageReachesTheDeadLettersAfterExactlyNRetries(EmbeddedKafka kafka) throws Exception {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("always", 2);
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(3), message -> {
            throw new IllegalStateException("never works");
        });
        StagePlan plan = task.spec().plan();
        SuperFlux.start(task);
        Producer.of(ProducerSpec.topic(topic)).produce("doomed", "k").get(30, TimeUnit.SECONDS);

        await(WAIT, () -> task.deadLetters.size() == 1, () -> "calls " + task.calls.size());
        Message<String> dead = task.deadLetters.peek();
        assertEquals(4, dead.stage());
        assertEquals("doomed", dead.value());
        assertEquals(List.of(0, 1, 2, 3), dead.failures().stream().map(Failure::stage).toList(), "whole failure history");
        assertTrue(dead.failures().stream().allMatch(f -> f.exceptionClass().equals("java.lang.IllegalStateException")
                && f.message().equals("never works")));
        assertTrue(dead.lastStackTrace().orElseThrow().contains("never works"));
        for (int stage = 0; stage <= 3; stage++) {
            assertEquals(1, task.callsInStage(stage).size(), "one call in stage " + stage);
        }
        assertEquals(1, kafka.readAll(plan.stage(4).topic(), 1, WAIT).size());
        assertEquals(List.of(), List.copyOf(task.earlyCalls));
        assertEquals(0, task.handled.size());
    }

    @Test
    void aFatalExceptionGoesToTheDeadLettersAtOnce(EmbeddedKafka kafka) throws Exception {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("fatal", 1);
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(3).fatal(IllegalArgumentException.class),
                message -> {
                    throw new NumberFormatException("not a number: " + message.value()); // a subclass of the fatal type
                });
        StagePlan plan = task.spec().plan();
        SuperFlux.start(task);
        Producer.of(ProducerSpec.topic(topic)).produce("abc").get(30, TimeUnit.SECONDS);

        await(WAIT, () -> task.deadLetters.size() == 1, () -> "calls " + task.calls.size());
        assertEquals(List.of(0), task.deadLetters.peek().failures().stream().map(Failure::stage).toList());
        assertEquals(1, task.calls.size());
        assertEquals(0, kafka.readAll(plan.stage(1).topic(), 0, Duration.ofMillis(300)).size(), "no retry");
    }

    /** A task reading 4-byte big-endian integers; anything else cannot be deserialized. */
    static final class IntegerTask extends Task<Integer> {
        final ConcurrentLinkedQueue<Integer> handled = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Message<Integer>> deadLetters = new ConcurrentLinkedQueue<>();

        IntegerTask(String topic) {
            super(TaskSpec.topic(topic).group("g").retries(2).deserializer(new IntegerDeserializer()));
        }

        @Override
        public void call(Message<Integer> message) {
            handled.add(message.value());
        }

        @Override
        public void deadLetter(Message<Integer> message) {
            deadLetters.add(message);
        }
    }

    @Test
    void aPoisonPillGoesToTheDeadLettersWithItsBytesAndTheStageCarriesOn(EmbeddedKafka kafka) throws Exception {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("poison", 1);
        IntegerTask task = new IntegerTask(topic);
        SuperFlux.start(task);
        Producer<byte[]> raw = Producer.of(ProducerSpec.topic(topic).bytes());
        raw.produce(new byte[] {1, 2, 3}, "bad").get(30, TimeUnit.SECONDS);
        raw.produce(ByteBuffer.allocate(4).putInt(42).array(), "good").get(30, TimeUnit.SECONDS);

        await(WAIT, () -> task.handled.contains(42) && task.deadLetters.size() == 1,
                () -> "handled " + task.handled + ", dead " + task.deadLetters);
        Message<Integer> poison = task.deadLetters.peek();
        assertNull(poison.value());
        assertArrayEquals(new byte[] {1, 2, 3}, poison.rawValue());
        assertEquals("bad", poison.key());
        assertEquals(1, poison.failures().size());
        assertEquals("org.apache.kafka.common.errors.SerializationException", poison.failures().get(0).exceptionClass());
        assertTrue(poison.failures().get(0).message().contains("cannot be deserialized"), poison.failures().get(0).message());
        assertEquals(List.of(42), List.copyOf(task.handled));
    }

    @Test
    void aFailingDeadLetterHookIsRetriedAndTheRecordKept(EmbeddedKafka kafka) throws Exception {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("hook", 1);
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(0), message -> {
            throw new IllegalStateException("no");
        });
        task.deadLetterHookFailuresLeft.set(2);
        SuperFlux.start(task);
        Producer.of(ProducerSpec.topic(topic)).produce("keep me").get(30, TimeUnit.SECONDS);
        await(WAIT, () -> task.deadLetters.size() == 1, () -> "hook failures left " + task.deadLetterHookFailuresLeft);
        assertEquals("keep me", task.deadLetters.peek().value());
        assertEquals(0, task.deadLetterHookFailuresLeft.get());
    }

    @Test
    void applicationHeadersNamedFluxSomethingTravelAndAreShownToTheTask(EmbeddedKafka kafka) throws Exception {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("flux-named-headers", 1);
        ScriptedTask task = ScriptedTask.failingInStageZero(TaskSpec.topic(topic).group("g").retries(1), "fails once");
        SuperFlux.start(task);
        Producer.of(ProducerSpec.topic(topic)).produce("v", "k", Map.of("flux-trace-id", "t-9")).get(30, TimeUnit.SECONDS);

        await(WAIT, () -> task.handled.size() == 1, () -> "handled " + task.handled);
        Message<String> handled = task.handled.peek();
        assertEquals(1, handled.stage());
        assertEquals(java.util.Optional.of("t-9"), handled.header("flux-trace-id"));
        assertEquals(List.of("flux-trace-id"), handled.headers().stream().map(Header::key).toList());
        ConsumerRecord<byte[], byte[]> retried = kafka.readAll(task.spec().plan().stage(1).topic(), 1, WAIT).get(0);
        assertEquals("t-9", header(retried, "flux-trace-id"));
    }
}
