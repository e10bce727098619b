package io.superflux.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;
import io.superflux.testkit.FluxWorkerProcess;

/**
 * Ordered retries through every fault at once, with real {@code flux.jar} workers: keyed records
 * (50 keys; a key's records come in sequence), 10 % fail once, 1 % always fail. The main worker is
 * SIGKILLed while keys are held and restarted; a second main worker joins (a rebalance of held
 * keys); the retry worker is SIGKILLed and restarted; then both main workers are rolled, one at a
 * time by SIGTERM. For every key, no record may be called first before an earlier one reached its
 * final outcome; nothing lost, nothing early; duplicates counted.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class OrderedRetriesIT {
    private static final Pattern STAGE_0_ASSIGNED = Pattern.compile("stage 0 .*: assigned partitions \\[\\d");

    @Test
    void keysStayOrderedThroughKillsARebalanceAndARollingRestart(EmbeddedKafka kafka) throws Exception {
        int records = FaultRun.FULL ? 10_000 : 3_000;
        try (FaultRun run = new FaultRun(Brokers.of(kafka), "ordered", 4, 1, Map.of())) {
            run.task("faults.key-order", true).task("faults.call-ms", 2).task("faults.backoff-ms", 1_000);
            run.produce(0, records, FaultRun::mixed);
            List<FluxWorkerProcess> mains = new ArrayList<>(List.of(run.start("0")));
            FluxWorkerProcess retries = run.start("1-3");

            run.awaitCalls(0, records / 5, Duration.ofMinutes(2));
            assertTrue(run.distinctHandled(0) < records, "the main stage still has records when it is killed");
            long killedAt = System.currentTimeMillis();
            FluxWorkerProcess killed = mains.remove(0);
            killed.kill();
            mains.add(run.start("0"));
            double recovery = (run.awaitWork(0, killedAt, killed.pid(), Duration.ofMinutes(2)) - killedAt) / 1000.0;

            run.awaitCalls(0, records * 2 / 5, Duration.ofMinutes(2));
            FluxWorkerProcess joiner = run.start("0"); // keys held on the partitions that move
            joiner.awaitOutput(STAGE_0_ASSIGNED, Duration.ofMinutes(1));
            mains.add(joiner);

            run.awaitCalls(1, records / 10 / 3, Duration.ofMinutes(2));
            retries.kill();
            retries = run.start("1-3");

            List<Integer> exits = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                FluxWorkerProcess replacement = run.start("0");
                replacement.awaitOutput(STAGE_0_ASSIGNED, Duration.ofMinutes(1));
                FluxWorkerProcess old = mains.remove(0);
                old.terminate();
                exits.add(old.waitFor(Duration.ofSeconds(60)));
                mains.add(replacement);
            }
            run.awaitCompleted(records, Duration.ofMinutes(4));
            exits.addAll(run.stopAll());

            Figures figures = run.figures();
            List<KeyOrderCheck.Violation> violations = KeyOrderCheck.of(run.plans(), run.lines(), 2);
            FaultResults.record("ordered retries: main SIGKILLed, a main joins, retry SIGKILLed, mains rolled by SIGTERM",
                    figures, recovery, run.seconds(), "4 partitions, 50 keys, 1 s waits; " + violations.size()
                            + " records out of key order; recovery: the killed main stage's");
            assertEquals(0, figures.lost(), "lost: " + figures);
            assertEquals(0, figures.early(), "early: " + figures);
            assertEquals(List.of(), violations.stream().limit(10).map(Object::toString).toList(), violations.size()
                    + " record(s) called before an earlier record of their key reached its final outcome");
            assertTrue(exits.stream().allMatch(code -> code == 0), "every stop exits 0: " + exits + "\n" + run.outputs());
        }
    }
}
