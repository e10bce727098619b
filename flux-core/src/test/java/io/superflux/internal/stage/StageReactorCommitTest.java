package io.superflux.internal.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.superflux.internal.stage.environment.LanePools;
import io.superflux.internal.stage.environment.ResetPolicy;
import io.superflux.internal.stage.environment.StageEnvironment;
import io.superflux.internal.stage.environment.StageSettings;
import io.superflux.internal.stage.environment.StageTime;
import io.superflux.internal.stage.forward.Forwarder;
import io.superflux.internal.stage.ops.StageMeters;
import io.superflux.retry.Stage;
import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/**
 * Commit sequences a broker cannot be made to produce on demand, driven through kafka-clients'
 * MockConsumer (the reactor under test is the real one): an asynchronous commit still unanswered
 * when the partition is revoked, and a commit retried after a wakeup that fails during a stop.
 */
class StageReactorCommitTest {
    private static final String TOPIC = "orders";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    /** A consumer whose commits the test controls. */
    static final class ScriptedConsumer extends MockConsumer<byte[], byte[]> {
        final ConcurrentLinkedQueue<Map<TopicPartition, OffsetAndMetadata>> asyncCommits = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Map<TopicPartition, OffsetAndMetadata>> syncCommits = new ConcurrentLinkedQueue<>();
        volatile boolean holdAsyncCommits;
        final AtomicInteger failingSyncCommits = new AtomicInteger();

        ScriptedConsumer() {
            super("earliest");
        }

        @Override
        public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
            asyncCommits.add(offsets);
            if (!holdAsyncCommits) { // else in flight: neither applied nor answered
                super.commitAsync(offsets, callback);
            }
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            syncCommits.add(offsets);
            int failing = failingSyncCommits.getAndUpdate(n -> Math.max(0, n - 1));
            if (failing == 2) {
                throw new WakeupException(); // the wakeup a stop sends, meant for poll
            }
            if (failing == 1) {
                throw new CommitFailedException("the group rebalanced meanwhile");
            }
            super.commitSync(offsets);
        }

        @Override
        public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
            commitSync(offsets);
        }
    }

    static final class NoOpTask extends Task<String> {
        final AtomicInteger calls = new AtomicInteger();

        NoOpTask() {
            super(TaskSpec.topic(TOPIC).group("g").retries(1));
        }

        @Override
        public void call(Message<String> message) {
            calls.incrementAndGet();
        }
    }

    private final ScriptedConsumer consumer = new ScriptedConsumer();
    private final NoOpTask task = new NoOpTask();
    private StageReactor reactor;
    private Thread thread;

    @AfterEach
    void stop() throws InterruptedException {
        if (reactor != null) {
            reactor.stop();
            thread.join(10_000);
        }
    }

    private void start() {
        Stage stage = task.spec().plan().stage(0);
        Forwarder forwarder = new Forwarder(new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()));
        reactor = new StageReactor(task, stage, consumer, forwarder, Map.of(TOPIC, 1),
                new StageEnvironment(StageTime.SYSTEM, new SplittableRandom(1), LanePools.THREADS),
                new StageSettings(1.0, Duration.ofMillis(20), Duration.ofSeconds(5), Duration.ofSeconds(5),
                        ResetPolicy.EARLIEST, java.util.Optional.empty(), true, false, io.superflux.task.BatchLimits.standard()),
                new StageMeters(new SimpleMeterRegistry(), "NoOpTask", stage));
        consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(PARTITION));
            for (long offset = 0; offset < 2; offset++) {
                consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, offset, null, ("v" + offset).getBytes()));
            }
        });
        thread = new Thread(reactor, "reactor-under-test");
        thread.start();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not reached: " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void aRevocationCommitsSynchronouslyWhatAnUnansweredAsynchronousCommitCarries() throws Exception {
        consumer.holdAsyncCommits = true;
        start();
        await(() -> task.calls.get() == 2, "both records handled");
        await(() -> consumer.asyncCommits.stream().anyMatch(c -> c.get(PARTITION).offset() == 2), "an async commit of 2");

        consumer.schedulePollTask(() -> consumer.rebalance(List.of()));
        await(() -> consumer.assignment().isEmpty(), "revoked");

        assertEquals(List.of(Map.of(PARTITION, new OffsetAndMetadata(2))), List.copyOf(consumer.syncCommits),
                "the revocation committed offset 2 itself: the async commit was never confirmed");
    }

    @Test
    void aCommitThatFailsInTheRevokeHandlerDuringAStopIsNotAFailureOfTheStage() throws Exception {
        consumer.holdAsyncCommits = true; // so that the revocation has a commit to make
        start();
        await(() -> task.calls.get() == 2, "both records handled");
        consumer.failingSyncCommits.set(2);

        consumer.schedulePollTask(() -> {
            reactor.stop();                   // SIGTERM arrives ...
            consumer.rebalance(List.of());    // ... while the group takes the partition away
        });
        thread.join(10_000);

        assertTrue(!thread.isAlive(), "the reactor stopped");
        assertNull(reactor.failure(), "a graceful stop, reported as one");
        assertEquals(0, consumer.failingSyncCommits.get(), "the commit was tried again after the wakeup");
        reactor = null;
    }
}
