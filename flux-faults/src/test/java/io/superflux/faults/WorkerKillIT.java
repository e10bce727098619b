package io.superflux.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Workers SIGKILLed mid-run, as the OOM killer or a node failure does, and restarted at once, as
 * systemd's Restart=on-failure does: the main stage and the retry stages run in separate
 * processes; the main worker is killed twice and the retry worker once. Nothing may be lost or
 * handled early; what was handled but not yet committed is handled again (counted). The retry
 * worker is killed last, while the main stage still has records to fail into it, so that every
 * kill falls on a stage with work left (checked: a kill after a stage's last record would measure
 * no recovery).
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class WorkerKillIT {

    @ParameterizedTest(name = "concurrency {0}")
    @ValueSource(ints = {1, 8})
    void sigkilledWorkersRestartedAtOnceLoseNothing(int concurrency, EmbeddedKafka kafka) throws Exception {
        try (FaultRun run = new FaultRun(Brokers.of(kafka), "worker-kill-c" + concurrency, 4, 1, Map.of())) {
            run.task("faults.concurrency", concurrency).task("faults.call-ms", concurrency == 1 ? 4 : 25)
                    .task("faults.backoff-ms", 2_000);
            killAndRestart(run, "concurrency " + concurrency);
        }
    }

    /** The same with a batch task: batches of 20 records, each batch taking 80 ms (a bulk write). */
    @org.junit.jupiter.api.Test
    void sigkilledBatchWorkersRestartedAtOnceLoseNothing(EmbeddedKafka kafka) throws Exception {
        try (FaultRun run = new FaultRun(Brokers.of(kafka), "worker-kill-batch", 4, 1, Map.of())) {
            run.taskClass(FaultBatchTask.class).task("faults.batch-records", 20).task("faults.call-ms", 80)
                    .task("faults.backoff-ms", 2_000);
            killAndRestart(run, "batch task");
        }
    }

    private static void killAndRestart(FaultRun run, String label) throws Exception {
        int records = FaultRun.FULL ? 10_000 : 3_000;
        run.produce(0, records, FaultRun::mixed);
        FluxWorkerProcess main = run.start("0");
        FluxWorkerProcess retries = run.start("1-3");

        double recovery = 0;
        int[] killStages = {0, 0, 1};
        int[] killAfterCalls = {records / 4, records * 3 / 4, records / 10 / 3}; // stage 1 gets 11 % of the records
        for (int kill = 0; kill < killStages.length; kill++) {
            int stage = killStages[kill];
            run.awaitCalls(stage, killAfterCalls[kill], Duration.ofMinutes(2));
            assertTrue(run.distinctHandled(0) < records, "kill " + (kill + 1) + " came after the main stage had "
                    + "handled every record: nothing would be left to recover");
            FluxWorkerProcess victim = stage == 0 ? main : retries;
            long pid = victim.pid();
            long killedAt = System.currentTimeMillis();
            victim.kill();
            FluxWorkerProcess restarted = run.start(stage == 0 ? "0" : "1-3");
            if (stage == 0) {
                main = restarted;
            } else {
                retries = restarted;
            }
            recovery = Math.max(recovery, (run.awaitWork(stage, killedAt, pid, Duration.ofMinutes(2)) - killedAt) / 1000.0);
        }
        run.awaitCompleted(records, Duration.ofMinutes(3));
        List<Integer> exits = run.stopAll();

        Figures figures = run.figures();
        FaultResults.record("worker SIGKILL ×3 (main, main, retry), restarted at once, " + label,
                figures, recovery, run.seconds(), "4 partitions; session.timeout.ms 10 s");
        assertEquals(0, figures.lost(), "lost: " + figures);
        assertEquals(0, figures.early(), "early: " + figures);
        assertEquals(List.of(0, 0), exits, "the survivors stop cleanly");
    }
}
