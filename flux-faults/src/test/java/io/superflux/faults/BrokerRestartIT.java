package io.superflux.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.superflux.testkit.KafkaCluster;

/**
 * The only broker SIGKILLed and restarted on the same data, twice: while the main stage is busy,
 * and while failures are being forwarded to the retry topic. The workers keep running through
 * the outage; nothing may be lost or handled early.
 */
class BrokerRestartIT {
    private static final long DOWN_MS = 3_000;

    @Test
    void aBrokerKilledAndRestartedOnItsDataLosesNothing() throws Exception {
        int records = FaultRun.FULL ? 10_000 : 3_000;
        try (KafkaCluster kafka = KafkaCluster.builder().start();
             FaultRun run = new FaultRun(Brokers.of(kafka), "broker-restart", 4, 1, Map.of())) {
            run.smallFetches().task("faults.call-ms", 3).task("faults.backoff-ms", 2_000);
            run.produce(0, records, id -> id % 100 == 7 ? "dead" : id % 10 < 3 ? "retry" : "ok"); // 30 % are forwarded
            run.start("0");
            run.start("1-3");

            long[] killedAt = new long[3];
            for (int fault = 1; fault <= 2; fault++) {
                run.awaitCalls(0, records * fault / 3, Duration.ofMinutes(3));
                killedAt[fault - 1] = System.currentTimeMillis();
                kafka.kill(1);
                Thread.sleep(DOWN_MS);
                kafka.start(1);
            }
            run.awaitCompleted(records, Duration.ofMinutes(4));
            List<Integer> exits = run.stopAll();
            killedAt[2] = Long.MAX_VALUE;
            double stall = Math.max(run.stallSeconds(0, killedAt[0], killedAt[1]), run.stallSeconds(0, killedAt[1], killedAt[2]));

            Figures figures = run.figures();
            FaultResults.record("broker SIGKILL ×2 (processing, forwarding), restarted on its data after "
                    + DOWN_MS / 1000 + " s", figures, stall, run.seconds(), String.format(Locale.ROOT,
                    "1 broker, 30 %% forwarded, 8 KiB fetches; down %d s plus its restart; longest stall of a partition"
                    + " %.1f s", DOWN_MS / 1000, stall));
            assertEquals(0, figures.lost(), figures.toString());
            assertEquals(0, figures.early(), figures.toString());
            assertEquals(List.of(0, 0), exits, run.outputs());
        }
    }
}
