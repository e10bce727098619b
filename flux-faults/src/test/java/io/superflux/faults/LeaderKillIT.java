package io.superflux.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.superflux.testkit.KafkaCluster;

/**
 * Three brokers, every topic with 3 replicas and min.insync.replicas 2 (the stage topics too,
 * through flux.topics.*): the broker leading the most partitions of the input topic is SIGKILLed
 * while the stages are busy, and restarted later. Leadership moves; nothing may be lost.
 */
class LeaderKillIT {

    @Test
    void killingTheLeaderOfBusyPartitionsLosesNothing() throws Exception {
        int records = FaultRun.FULL ? 10_000 : 3_000;
        try (KafkaCluster kafka = KafkaCluster.builder().nodes(3).start();
             FaultRun run = new FaultRun(Brokers.of(kafka), "leader-kill", 6, 3, Map.of("min.insync.replicas", "2"))) {
            run.env("FLUX_TOPICS_MIN_INSYNC_REPLICAS", "2");
            run.smallFetches().task("faults.call-ms", 3).task("faults.backoff-ms", 2_000);
            run.produce(0, records, id -> id % 100 == 7 ? "dead" : id % 10 < 2 ? "retry" : "ok");
            run.start("0");
            run.start("1-3");

            run.awaitCalls(0, records / 3, Duration.ofMinutes(3));
            Map<Integer, Integer> led = new HashMap<>();
            for (int partition = 0; partition < 6; partition++) {
                led.merge(kafka.leader(run.topic(), partition), 1, Integer::sum);
            }
            int victim = led.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            long killedAt = System.currentTimeMillis();
            kafka.kill(victim);
            run.awaitCalls(0, records * 2 / 3, Duration.ofMinutes(3));
            kafka.start(victim);
            run.awaitCompleted(records, Duration.ofMinutes(4));
            List<Integer> exits = run.stopAll();
            double stall = run.stallSeconds(0, killedAt, Long.MAX_VALUE);

            Figures figures = run.figures();
            FaultResults.record("3 brokers, RF 3, min ISR 2: leader of " + led.get(victim) + " of 6 busy partitions"
                    + " SIGKILLed, restarted later", figures, stall, run.seconds(), String.format(Locale.ROOT,
                    "broker session timeout 6 s, 8 KiB fetches; longest stall of a partition %.1f s", stall));
            assertEquals(0, figures.lost(), figures.toString());
            assertEquals(0, figures.early(), figures.toString());
            assertEquals(List.of(0, 0), exits, run.outputs());
        }
    }
}
