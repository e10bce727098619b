package io.superflux.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Test;

import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;
import io.superflux.testkit.FluxWorkerProcess;

/**
 * A consumer group rolled one worker at a time, as a Kubernetes rolling update does: three
 * workers run every stage with {@code concurrency(8)}; each in turn gets a replacement, and once
 * the replacement has partitions, the old one is sent SIGTERM while its lanes are busy. Every stop must exit 0 and
 * hand its partitions over committed: nothing lost, nothing early, and — since every stop is
 * graceful — no record handled twice.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class RollingRestartIT {
    private static final Pattern STAGE_0_ASSIGNED = Pattern.compile("stage 0 .*: assigned partitions \\[\\d");

    @Test
    void aGroupRolledOneWorkerAtATimeWithLanesInFlight(EmbeddedKafka kafka) throws Exception {
        int records = FaultRun.FULL ? 12_000 : 4_000;
        try (FaultRun run = new FaultRun(Brokers.of(kafka), "rolling", 6, 1, Map.of())) {
            run.task("faults.concurrency", 8).task("faults.call-ms", 20).task("faults.backoff-ms", 2_000);
            run.produce(0, records, FaultRun::mixed);
            List<FluxWorkerProcess> workers = new ArrayList<>(List.of(run.start("0-3"), run.start("0-3"), run.start("0-3")));

            List<Integer> exits = new ArrayList<>();
            double longestStop = 0;
            for (int i = 0; i < 3; i++) {
                run.awaitCalls(0, records * (i + 1) / 5, Duration.ofMinutes(2));
                FluxWorkerProcess replacement = run.start("0-3");
                replacement.awaitOutput(STAGE_0_ASSIGNED, Duration.ofMinutes(1));
                FluxWorkerProcess old = workers.remove(0);
                long signalled = System.nanoTime();
                old.terminate();
                exits.add(old.waitFor(Duration.ofSeconds(60)));
                longestStop = Math.max(longestStop, (System.nanoTime() - signalled) / 1e9);
                workers.add(replacement);
            }
            run.awaitCompleted(records, Duration.ofMinutes(3));
            exits.addAll(run.stopAll());

            Figures figures = run.figures();
            FaultResults.record("rolling restart of 3 workers (all stages, concurrency 8), one at a time by SIGTERM",
                    figures, longestStop, run.seconds(), "6 partitions; recovery: the longest stop of a rolled worker");
            assertEquals(0, figures.lost(), "lost: " + figures);
            assertEquals(0, figures.early(), "early: " + figures);
            assertEquals(0, figures.duplicates(), "graceful stops commit what they handled: " + figures);
            assertEquals(List.of(0, 0, 0, 0, 0, 0), exits, run.outputs());
        }
    }
}
