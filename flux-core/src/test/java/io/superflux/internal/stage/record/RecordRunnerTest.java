package io.superflux.internal.stage.record;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.superflux.internal.headers.RetryHeaders;
import io.superflux.internal.stage.environment.StageTime;
import io.superflux.internal.stage.ops.StageStatus;
import io.superflux.internal.stage.record.RecordOutcome.Kind;
import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;
import io.superflux.testing.Failures.UnprintableException;
import io.superflux.testing.Failures;

/**
 * Every kind of Throwable that a deserializer, a call or the dead-letter hook can throw, and
 * what the one place that classifies them makes of it, in each kind of stage and during a stop.
 */
class RecordRunnerTest {
    private static final int RETRIES = 2;
    private static final int DEAD_LETTERS = RETRIES + 1;

    /** A failure the task declares fatal. */
    static final class Fatal extends RuntimeException {
    }

    /** Throws what the test says, from call or from the hook. */
    static class ThrowingTask extends Task<String> {
        final AtomicReference<Supplier<Throwable>> failure = new AtomicReference<>();
        final AtomicReference<Message<String>> seen = new AtomicReference<>();

        ThrowingTask(Deserializer<String> deserializer) {
            this(deserializer, TaskSpec.topic("orders").group("g").retries(RETRIES));
        }

        ThrowingTask(Deserializer<String> deserializer, TaskSpec<String> spec) {
            super(spec.fatal(Fatal.class).deserializer(deserializer));
        }

        @Override
        public void call(Message<String> message) throws Exception {
            seen.set(message);
            Supplier<Throwable> thrown = failure.get();
            if (thrown != null) {
                throw Failures.<Exception>sneaky(thrown.get());
            }
        }

        @Override
        public void deadLetter(Message<String> message) throws Exception {
            call(message);
        }
    }

    /** UTF-8, but throws whatever the test sets for the value "bad". */
    static final class ThrowingDeserializer implements Deserializer<String> {
        final AtomicReference<Supplier<Throwable>> failure = new AtomicReference<>();

        @Override
        public String deserialize(String topic, byte[] data) {
            Supplier<Throwable> thrown = failure.get();
            Throwable error = thrown == null ? null : thrown.get();
            if (error != null) {
                throw Failures.<RuntimeException>sneaky(error);
            }
            return new String(data, UTF_8);
        }
    }

    private final ThrowingDeserializer deserializer = new ThrowingDeserializer();
    private final ThrowingTask task = new ThrowingTask(deserializer);

    private RecordRunner<String> runner(int stage) {
        return stageThreadRunner(task, stage);
    }

    private static RecordRunner<String> stageThreadRunner(ThrowingTask task, int stage) {
        return new RecordRunner<>(task, task.spec().plan().stage(stage), true,
                new StageStatus("ThrowingTask", task.spec().plan().stage(stage), 0), StageTime.SYSTEM);
    }

    private static ConsumerRecord<byte[], byte[]> record() {
        return new ConsumerRecord<>("orders", 0, 7, "k".getBytes(UTF_8), "v".getBytes(UTF_8));
    }

    static Stream<Arguments> callFailures() {
        return Stream.of(
                Arguments.of("RuntimeException", (Supplier<Throwable>) () -> new IllegalStateException("x"), Kind.FORWARD, 1),
                Arguments.of("checked Exception", (Supplier<Throwable>) () -> new Exception("x"), Kind.FORWARD, 1),
                Arguments.of("checked, thrown sneakily", (Supplier<Throwable>) () -> new IOException("x"), Kind.FORWARD, 1),
                Arguments.of("InterruptedException, not stopping", (Supplier<Throwable>) InterruptedException::new, Kind.FORWARD, 1),
                Arguments.of("AssertionError", (Supplier<Throwable>) () -> new AssertionError("x"), Kind.FORWARD, 1),
                Arguments.of("NoClassDefFoundError", (Supplier<Throwable>) () -> new NoClassDefFoundError("x"), Kind.FORWARD, 1),
                Arguments.of("StackOverflowError", (Supplier<Throwable>) () -> {
                    try {
                        Failures.recurse(0);
                        return null;
                    } catch (StackOverflowError e) {
                        return e;
                    }
                }, Kind.FORWARD, 1),
                Arguments.of("unprintable exception", (Supplier<Throwable>) UnprintableException::new, Kind.FORWARD, 1),
                Arguments.of("declared fatal", (Supplier<Throwable>) Fatal::new, Kind.FORWARD, DEAD_LETTERS),
                Arguments.of("OutOfMemoryError", (Supplier<Throwable>) () -> new OutOfMemoryError("x"), Kind.STOP_STAGE, -1),
                Arguments.of("InternalError", (Supplier<Throwable>) () -> new InternalError("x"), Kind.STOP_STAGE, -1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("callFailures")
    void aFailingCallInTheMainStage(String what, Supplier<Throwable> thrown, Kind kind, int target) {
        task.failure.set(thrown);
        RecordOutcome outcome = runner(0).run(record());
        assertEquals(kind, outcome.kind(), what);
        assertEquals(target, outcome.targetStage(), what);
        assertFalse(outcome.poisonPill());
        RetryHeaders.forward(record(), 0, Math.max(target, 1), 1, 2, outcome.error()); // describing it never throws
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("callFailures")
    void aFailingCallInTheLastRetryStageGoesToTheDeadLetters(String what, Supplier<Throwable> thrown, Kind kind, int target) {
        task.failure.set(thrown);
        RecordOutcome outcome = runner(RETRIES).run(record());
        assertEquals(kind, outcome.kind(), what);
        assertEquals(kind == Kind.FORWARD ? DEAD_LETTERS : -1, outcome.targetStage(), what);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("callFailures")
    void aFailingDeadLetterHookIsRetriedUnlessTheJvmIsInTrouble(String what, Supplier<Throwable> thrown, Kind kind, int target) {
        task.failure.set(thrown);
        RecordOutcome outcome = runner(DEAD_LETTERS).run(record());
        assertEquals(kind == Kind.STOP_STAGE ? Kind.STOP_STAGE : Kind.RETRY_HOOK, outcome.kind(), what);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("callFailures")
    void afterAStopInterruptedTheCallsAFailureIsLeftUncommittedUnlessTheJvmIsInTrouble(String what,
            Supplier<Throwable> thrown, Kind kind, int target) {
        task.failure.set(thrown);
        for (int stage : new int[] {0, RETRIES, DEAD_LETTERS}) {
            RecordRunner<String> runner = runner(stage);
            runner.interruptCalls();
            assertEquals(kind == Kind.STOP_STAGE ? Kind.STOP_STAGE : Kind.LEAVE_UNCOMMITTED, runner.run(record()).kind(),
                    what + " in stage " + stage);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("callFailures")
    void whatADeserializerThrowsOtherThanABadValueIsReadAgainLaterUnlessTheJvmIsInTrouble(String what,
            Supplier<Throwable> thrown, Kind kind, int target) {
        deserializer.failure.set(thrown);
        for (int stage : new int[] {0, RETRIES, DEAD_LETTERS}) {
            RecordOutcome outcome = runner(stage).run(record());
            assertEquals(kind == Kind.STOP_STAGE ? Kind.STOP_STAGE : Kind.RETRY_DESERIALIZER, outcome.kind(),
                    what + " in stage " + stage);
        }
        assertNull(task.seen.get(), "call never ran");
    }

    @Test
    void aSerializationExceptionIsAPoisonPillStraightToTheDeadLetters() {
        deserializer.failure.set(() -> new SerializationException("unknown magic byte"));
        RecordOutcome outcome = runner(0).run(record());
        assertEquals(Kind.FORWARD, outcome.kind());
        assertEquals(DEAD_LETTERS, outcome.targetStage());
        assertTrue(outcome.poisonPill());
        assertFalse(outcome.retriableInPlace(), "a bad value is never called again");
        assertInstanceOf(SerializationException.class, outcome.error());
        assertNull(task.seen.get(), "call never ran");
    }

    @Test
    void aSerializationExceptionCausedByANetworkFailureIsReadAgainLater() {
        deserializer.failure.set(() -> new SerializationException("Error retrieving Avro schema for id 7",
                new IOException("registry", new java.net.ConnectException("Connection refused"))));
        assertEquals(Kind.RETRY_DESERIALIZER, runner(0).run(record()).kind());
        deserializer.failure.set(() -> new SerializationException("timed out",
                new java.net.http.HttpTimeoutException("request timed out")));
        assertEquals(Kind.RETRY_DESERIALIZER, runner(1).run(record()).kind());
    }

    @Test
    void theDeadLetterHookGetsABadValueAsANullValue() {
        deserializer.failure.set(() -> new SerializationException("garbage"));
        RecordOutcome outcome = runner(DEAD_LETTERS).run(record());
        assertSame(RecordOutcome.HANDLED, outcome);
        assertNull(task.seen.get().value());
        assertEquals("v", new String(task.seen.get().rawValue(), UTF_8));
    }

    @Test
    void anInterruptLeftSetByTheTaskDoesNotOutliveTheCall() {
        task.failure.set(null);
        ThrowingTask interrupting = new ThrowingTask(deserializer) {
            @Override
            public void call(Message<String> message) {
                Thread.currentThread().interrupt();
            }
        };
        RecordOutcome outcome = stageThreadRunner(interrupting, 0).run(record());
        assertSame(RecordOutcome.HANDLED, outcome);
        assertFalse(Thread.currentThread().isInterrupted(), "the consumer's next poll would throw otherwise");
    }

    @Test
    void interruptCallsInterruptsTheCallRunningOnTheReactorThread() throws Exception {
        CountDownLatch calling = new CountDownLatch(1);
        ThrowingTask sleeping = new ThrowingTask(deserializer) {
            @Override
            public void call(Message<String> message) throws InterruptedException {
                calling.countDown();
                Thread.sleep(60_000);
            }
        };
        RecordRunner<String> runner = stageThreadRunner(sleeping, 0);
        AtomicReference<RecordOutcome> outcome = new AtomicReference<>();
        Thread reactor = new Thread(() -> outcome.set(runner.run(record())));
        reactor.start();
        calling.await();
        runner.interruptCalls();
        reactor.join(10_000);
        assertEquals(Kind.LEAVE_UNCOMMITTED, outcome.get().kind());
    }
}
