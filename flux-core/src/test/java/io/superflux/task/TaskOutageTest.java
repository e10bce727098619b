package io.superflux.task;

import static io.superflux.task.TaskTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.internal.stage.outage.OutageGate;
import io.superflux.retry.StagePlan;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

/**
 * Outage protection against a real broker: a dependency goes down, every call fails; the stage
 * pauses after the threshold's worth, probes, and resumes when the dependency is back — every
 * record handled or forwarded, none lost, nothing dead-lettered.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class TaskOutageTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int MINIMUM_CALLS = 10;

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    @ParameterizedTest(name = "concurrency {0}")
    @ValueSource(ints = {1, 4})
    void anOutagePausesTheStageAfterTheThresholdsWorthAndItResumesWhenTheDependencyIsBack(int concurrency,
                                                                                          EmbeddedKafka kafka)
            throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).clientId("outage-test").retryTimeScale(0.001)
                .set("flux.consumer.commit-interval", "100ms").meterRegistry(meters).shutdownTimeout(Duration.ofSeconds(20)));
        String topic = kafka.createUniqueTopic("outage", 2);
        AtomicBoolean databaseDown = new AtomicBoolean(true);
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(2).concurrency(concurrency)
                .outageProtection(OutageProtection.standard().failureRate(0.9).minimumCalls(MINIMUM_CALLS)
                        .window(Duration.ofSeconds(30)).firstProbe(Duration.ofMillis(200))
                        .maxProbeInterval(Duration.ofMillis(800))),
                message -> {
                    if (databaseDown.get()) {
                        throw new IllegalStateException("connection refused: database down");
                    }
                });
        StagePlan plan = task.spec().plan();
        Worker worker = SuperFlux.start(task, "0"); // the main stage alone: what it forwards stays in the retry topic
        int records = 200;
        TaskTestSupport.produce(topic, records, i -> "k" + (i % 17));

        await(WAIT, () -> gauge(meters, "flux.stage.outage") == 1.0, () -> "calls " + task.calls.size());
        int callsAtPause = task.calls.size();
        Thread.sleep(2_000);
        int probes = task.calls.size() - callsAtPause;
        // One probe at a time, rounds of 5 while they fail, the rounds 200 ms, then 400 and 800 ms apart: at most 3 rounds in
        // 2 s; with lanes, the calls under way when the stage paused end too.
        assertTrue(probes >= 1 && probes <= 3 * OutageGate.PROBES_PER_ROUND + concurrency, probes + " probes in 2 s");
        double forwarded = counter(meters, "flux.task.forwarded");
        assertTrue(forwarded < MINIMUM_CALLS + probes, "at most the threshold's worth forwarded, and the failed probes: "
                + forwarded + " (" + probes + " probes)");
        assertEquals(0, task.handled.size());

        databaseDown.set(false);
        await(WAIT, () -> task.handled.size() + (int) counter(meters, "flux.task.forwarded") == records,
                () -> "handled " + task.handled.size() + ", forwarded " + counter(meters, "flux.task.forwarded"));
        assertEquals(0.0, gauge(meters, "flux.stage.outage"));
        worker.stop();
        Set<String> seen = new HashSet<>();
        task.handled.forEach(m -> seen.add(m.value()));
        for (ConsumerRecord<byte[], byte[]> retry : kafka.readAll(plan.stage(1).topic(), (int) forwarded, WAIT)) {
            seen.add(new String(retry.value(), java.nio.charset.StandardCharsets.UTF_8));
        }
        assertEquals(records, seen.size(), "every record handled or forwarded, none lost");
        assertEquals(0, kafka.readAll(plan.stage(plan.deadLetterStage()).topic(), 0, Duration.ofMillis(300)).size());
    }

    private static double gauge(SimpleMeterRegistry meters, String name) {
        return meters.get(name).tag("stage", "0").gauge().value();
    }

    private static double counter(SimpleMeterRegistry meters, String name) {
        return meters.get(name).tag("stage", "0").functionCounter().count();
    }
}
