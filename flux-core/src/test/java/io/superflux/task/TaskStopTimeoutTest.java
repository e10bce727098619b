package io.superflux.task;

import static io.superflux.task.TaskTestSupport.await;
import static io.superflux.task.TaskTestSupport.committed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.producer.Producer;
import io.superflux.producer.ProducerSpec;
import io.superflux.retry.StagePlan;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

/**
 * A stop that outlasts {@code flux.shutdown-timeout}: the calls still running are interrupted.
 * That interrupt is not a failure of the record (it is neither forwarded nor committed: it is
 * read again after a restart), and the records that did finish are committed all the same.
 * Commits are made only at the stop here (commit interval one hour), so each test sees exactly
 * what the final commit does.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class TaskStopTimeoutTest {

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    private static void configure(EmbeddedKafka kafka) {
        SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).clientId("stop-test").retryTimeScale(0.001)
                .set("flux.consumer.commit-interval", "1h")
                .shutdownTimeout(Duration.ofSeconds(2)));
    }

    /** Handles "a", "b", "c" at once; "hang" blocks until interrupted, as an HTTP call with no timeout would. */
    static final class HangingTask extends Task<String> {
        final ConcurrentLinkedQueue<String> handled = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> started = new ConcurrentLinkedQueue<>();
        private final boolean swallowInterrupt;

        HangingTask(TaskSpec<String> spec, boolean swallowInterrupt) {
            super(spec);
            this.swallowInterrupt = swallowInterrupt;
        }

        @Override
        public void call(Message<String> message) throws Exception {
            started.add(message.value());
            if (message.value().equals("hang")) {
                try {
                    Thread.sleep(120_000);
                } catch (InterruptedException e) {
                    if (!swallowInterrupt) {
                        throw e;
                    }
                    Thread.currentThread().interrupt(); // the polite way: keep the flag for whoever comes next
                }
            }
            handled.add(message.value());
        }
    }

    private static HangingTask startAndHang(EmbeddedKafka kafka, String topic, int concurrency, boolean swallow)
            throws Exception {
        HangingTask task = new HangingTask(TaskSpec.topic(topic).group("g").retries(1).concurrency(concurrency), swallow);
        Producer<String> producer = Producer.of(ProducerSpec.topic(topic));
        for (String value : new String[] {"a", "b", "c", "hang", "d"}) {
            producer.produce(value, concurrency == 1 ? "k" : value).get(10, TimeUnit.SECONDS);
        }
        return task;
    }

    @ParameterizedTest(name = "concurrency {0}")
    @ValueSource(ints = {1, 4})
    void anInterruptedCallIsNeitherForwardedNorCommitted(int concurrency, EmbeddedKafka kafka) throws Exception {
        configure(kafka);
        String topic = kafka.createUniqueTopic("interrupted", 1);
        HangingTask task = startAndHang(kafka, topic, concurrency, false);
        StagePlan plan = task.spec().plan();
        Worker worker = SuperFlux.start(task, "0");
        await(Duration.ofSeconds(20), () -> task.started.contains("hang") && task.handled.containsAll(java.util.List.of("a", "b", "c")),
                () -> "started " + task.started);

        assertTimeoutPreemptively(Duration.ofSeconds(30), worker::stop, "stop returns after the shutdown timeout");

        assertTrue(worker.failure().isEmpty(), "a stop is not a failure: " + worker.failure());
        assertEquals(0, kafka.readAll(plan.stage(1).topic(), 0, Duration.ofMillis(500)).size(),
                "the stop itself forwarded nothing");
        assertEquals(3, committed(kafka, "g", new TopicPartition(topic, 0)),
                "committed up to the interrupted record, which is read again after a restart");
    }

    @ParameterizedTest(name = "concurrency {0}")
    @ValueSource(ints = {1, 4})
    void recordsFinishedBeforeAnOverdueStopAreCommittedEvenIfACallKeepsTheInterruptFlag(int concurrency,
                                                                                         EmbeddedKafka kafka) throws Exception {
        configure(kafka);
        String topic = kafka.createUniqueTopic("overdue", 1);
        HangingTask task = startAndHang(kafka, topic, concurrency, true);
        Worker worker = SuperFlux.start(task, "0");
        await(Duration.ofSeconds(20), () -> task.started.contains("hang") && task.handled.containsAll(java.util.List.of("a", "b", "c")),
                () -> "started " + task.started);

        assertTimeoutPreemptively(Duration.ofSeconds(30), worker::stop, "stop returns after the shutdown timeout");

        assertTrue(worker.failure().isEmpty(), "a stop is not a failure: " + worker.failure());
        long offset = committed(kafka, "g", new TopicPartition(topic, 0));
        assertTrue(offset >= 3, "a, b and c were handled, so the final commit covers them; committed " + offset);
    }
}
