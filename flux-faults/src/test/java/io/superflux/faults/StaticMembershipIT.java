package io.superflux.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;
import io.superflux.testkit.FluxWorkerProcess;

/**
 * Static group membership ({@code --instance-id}): a retry worker SIGKILLed and restarted at once
 * with the same id gets its partitions back without waiting for Kafka's session timeout (its
 * default, 45 s, here); without an id it waits for it (measured, for the README). Two processes
 * started with the same id: the one Kafka fences exits 1 with one line naming the id, the other
 * keeps working, nothing is lost.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class StaticMembershipIT {
    private static final int RECORDS = 2_000;

    @ParameterizedTest(name = "instance id: {0}")
    @ValueSource(booleans = {true, false})
    void aSigkilledRetryWorkerRestartedAtOnce(boolean withInstanceId, EmbeddedKafka kafka) throws Exception {
        String name = withInstanceId ? "static-restart" : "dynamic-restart";
        try (FaultRun run = new FaultRun(Brokers.of(kafka), name, 4, 1, Map.of())) {
            run.task("faults.concurrency", 1).task("faults.call-ms", 4).task("faults.backoff-ms", 2_000);
            run.env("FLUX_CONSUMER_PROPERTIES_SESSION_TIMEOUT_MS", null); // Kafka's default, 45 s, as a user has it
            run.produce(0, RECORDS, FaultRun::mixed);
            Map<String, String> retryId = withInstanceId ? Map.of("FLUX_INSTANCE_ID", "retries-1") : Map.of();
            run.start("0", withInstanceId ? Map.of("FLUX_INSTANCE_ID", "main-1") : Map.of());
            FluxWorkerProcess retries = run.start("1-3", retryId);

            run.awaitCalls(1, retries, RECORDS / 10 / 5, Duration.ofMinutes(2)); // stage 1 gets 11 % of the records
            long killedAt = System.currentTimeMillis();
            retries.kill();
            run.start("1-3", retryId);
            double recovery = (run.awaitWork(1, killedAt, retries.pid(), Duration.ofMinutes(3)) - killedAt) / 1000.0;
            run.awaitCompleted(RECORDS, Duration.ofMinutes(3));
            List<Integer> exits = run.stopAll();

            Figures figures = run.figures();
            FaultResults.record("retry worker SIGKILL, restarted at once, " + (withInstanceId ? "with" : "without")
                    + " --instance-id", figures, recovery, run.seconds(), "4 partitions; Kafka's session.timeout.ms (45 s);"
                    + " recovery: first retry handled by the restarted worker");
            assertEquals(0, figures.lost(), "lost: " + figures);
            assertEquals(0, figures.early(), "early: " + figures);
            assertEquals(List.of(0, 0), exits, "both workers stop cleanly");
            if (withInstanceId) {
                assertTrue(recovery <= 5, "the restarted static member resumed after " + recovery + " s");
            }
        }
    }

    @ParameterizedTest(name = "group protocol {0}")
    @ValueSource(strings = {"classic", "consumer"})
    void aSecondProcessWithTheSameInstanceIdIsFencedAndTheOtherKeepsWorking(String protocol, EmbeddedKafka kafka) throws Exception {
        try (FaultRun run = new FaultRun(Brokers.of(kafka), "duplicate-id-" + protocol, 4, 1, Map.of())) {
            run.task("faults.concurrency", 1).task("faults.call-ms", 4).task("faults.backoff-ms", 500);
            if (protocol.equals("consumer")) {
                // The client may not set a session timeout under this protocol: the broker's applies.
                run.env("FLUX_CONSUMER_PROPERTIES_SESSION_TIMEOUT_MS", null).env("FLUX_CONSUMER_PROPERTIES_GROUP_PROTOCOL", "consumer");
            }
            run.produce(0, RECORDS / 2, FaultRun::mixed);
            Map<String, String> sameId = Map.of("FLUX_INSTANCE_ID", "copy-pasted");
            FluxWorkerProcess first = run.start("all", sameId);
            run.awaitCalls(0, first, 50, Duration.ofMinutes(2));
            FluxWorkerProcess second = run.start("all", sameId);

            FluxWorkerProcess fenced = awaitOneExits(first, second, Duration.ofMinutes(2), run);
            FluxWorkerProcess survivor = fenced == first ? second : first;
            assertEquals(1, fenced.exitCode(), fenced.output());
            List<String> fluxLines = fenced.output().lines().filter(line -> line.startsWith("flux: ")).toList();
            assertEquals(1, fluxLines.size(), fenced.output());
            assertTrue(fluxLines.get(0).contains("instance id") && fluxLines.get(0).contains("copy-pasted-"),
                    "the error names the instance id: " + fluxLines.get(0));

            run.produce(RECORDS / 2, RECORDS / 2, FaultRun::mixed);
            run.awaitCompleted(RECORDS, Duration.ofMinutes(3));
            assertTrue(survivor.isAlive(), "the other process keeps working");
            List<Integer> exits = run.stopAll();

            Figures figures = run.figures();
            FaultResults.record("two processes with the same --instance-id, group protocol " + protocol + " ("
                    + (fenced == first ? "the first" : "the second") + " is fenced)", figures, 0, run.seconds(),
                    "the fenced one exits 1 with one flux: line; recovery not measured");
            assertEquals(0, figures.lost(), "lost: " + figures);
            assertEquals(0, figures.early(), "early: " + figures);
            assertEquals(List.of(0), exits, "the survivor stops cleanly");
        }
    }

    private static FluxWorkerProcess awaitOneExits(FluxWorkerProcess first, FluxWorkerProcess second, Duration timeout, FaultRun run)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (first.isAlive() && second.isAlive()) {
            if (System.nanoTime() > deadline) {
                fail("both processes with the same instance id still run after " + timeout + "\n" + run.outputs());
            }
            Thread.sleep(100);
        }
        return first.isAlive() ? second : first;
    }
}
