package io.superflux.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;
import io.superflux.testkit.FluxWorkerProcess;

/**
 * SIGTERM while calls take long — within the shutdown timeout, and longer than it. The worker
 * exits 0 within the timeout (plus the final commit), forwards nothing because of the stop (every
 * record here succeeds, so the retry topic stays empty), and a restarted worker completes
 * everything: what was interrupted is handled again, nothing is lost.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class GracefulStopIT {
    private static final int SHUTDOWN_TIMEOUT_S = 10;

    @ParameterizedTest(name = "{2} calls of {0} ms, concurrency {1}")
    @CsvSource({"1500, 4, 60", "12000, 4, 8", "12000, 1, 3"})
    void aSigtermMidRunExitsZeroInTimeAndForwardsNothing(int callMillis, int concurrency, int records, EmbeddedKafka kafka)
            throws Exception {
        try (FaultRun run = new FaultRun(Brokers.of(kafka), "sigterm-" + callMillis + "-c" + concurrency, 4, 1, Map.of())) {
            run.task("faults.concurrency", concurrency).task("faults.call-ms", callMillis);
            run.produce(0, records, id -> "ok");
            FluxWorkerProcess worker = run.start("0");
            if (callMillis < SHUTDOWN_TIMEOUT_S * 1000) {
                run.awaitCalls(0, 6, Duration.ofMinutes(2)); // mid-run: some done, some under way, many queued
            } else {
                run.awaitStarts(0, 1, Duration.ofMinutes(2)); // calls under way that will outlast the timeout
            }

            long signalled = System.nanoTime();
            worker.terminate();
            int exit = worker.waitFor(Duration.ofSeconds(60));
            double stopSeconds = (System.nanoTime() - signalled) / 1e9;
            assertEquals(0, exit, worker.output());
            assertTrue(stopSeconds < SHUTDOWN_TIMEOUT_S + 8, "stopped in " + stopSeconds + " s");
            assertEquals(0, run.count(run.stageTopic(1)), "the stop forwarded nothing");
            int before = run.completed();

            FluxWorkerProcess restarted = run.start("0");
            run.awaitCompleted(records, Duration.ofMinutes(3));
            run.stopAll();
            Figures figures = run.figures();
            FaultResults.record("SIGTERM mid-run, calls of " + callMillis / 1000.0 + " s, concurrency " + concurrency
                            + " (shutdown timeout " + SHUTDOWN_TIMEOUT_S + " s)", figures, stopSeconds, run.seconds(),
                    "exit 0 after " + String.format(java.util.Locale.ROOT, "%.1f", stopSeconds) + " s; " + before
                            + " done before the stop; retry topic empty");
            assertEquals(0, figures.lost(), figures.toString());
            assertEquals(0, figures.early(), figures.toString());
            assertEquals(0, run.count(run.stageTopic(1)), "nothing forwarded at all");
            assertTrue(restarted.output().contains("assigned partitions"), restarted.output());
        }
    }
}
