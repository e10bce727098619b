package io.superflux.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;
import io.superflux.testkit.FluxWorkerProcess;

/**
 * The first retry topic disappears (deleted by an operator) while stage 0 keeps failing records.
 * A forward to it blocks the poll thread for the forwarder's max.block.ms at most, and only one
 * forward probes the topic at a time, so the main worker keeps polling well inside a short
 * {@code max.poll.interval.ms}: it is never expelled from its group (no rebalance storm). Its
 * partitions with a failed record are held — nothing past the record is committed. Once
 * {@code flux topics create} restores the topic, everything completes: nothing lost, nothing early.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class RetryTopicOutageIT {
    private static final int OUTAGE_S = 25;
    private static final int MAX_POLL_INTERVAL_MS = 10_000;

    @Test
    void aDeletedRetryTopicHoldsFailingPartitionsWithoutARebalanceStorm(EmbeddedKafka kafka) throws Exception {
        int records = 2_000;
        try (FaultRun run = new FaultRun(Brokers.of(kafka), "retry-outage", 4, 1, Map.of());
             Admin admin = kafka.admin()) {
            run.task("faults.call-ms", 2).task("faults.backoff-ms", 2_000)
                    .env("FLUX_CONSUMER_PROPERTIES_MAX_POLL_INTERVAL_MS", Integer.toString(MAX_POLL_INTERVAL_MS));
            run.produce(0, records / 2, FaultRun::mixed);
            FluxWorkerProcess main = run.start("0");
            run.start("1-3");
            run.awaitCompleted(records / 2, Duration.ofMinutes(2));

            admin.deleteTopics(List.of(run.stageTopic(1))).all().get(30, TimeUnit.SECONDS);
            int revocationsBefore = count(main.output(), "partitions revoked") + count(main.output(), "partitions lost");
            run.produce(records / 2, records / 2, FaultRun::mixed);
            Thread.sleep(OUTAGE_S * 1000L);
            String during = main.output();
            assertTrue(main.isAlive(), "the main worker keeps running\n" + during);
            assertEquals(revocationsBefore, count(during, "partitions revoked") + count(during, "partitions lost"),
                    "no rebalance of the main stage during the outage\n" + during);
            assertTrue(during.contains(run.stageTopic(1)) && during.contains("failed"), "the forward failures are logged\n" + during);
            int completedDuringOutage = run.completed();
            assertTrue(completedDuringOutage < records, "records that must be retried wait for the topic");

            assertEquals(0, run.command("topics", "create"), "flux topics create restores the retry topic");
            long restoredAt = System.currentTimeMillis();
            run.awaitCompleted(records, Duration.ofMinutes(3));
            double recovery = (run.awaitWork(1, restoredAt, 0, Duration.ofMinutes(1)) - restoredAt) / 1000.0;
            List<Integer> exits = run.stopAll();

            Figures figures = run.figures();
            FaultResults.record("retry topic deleted for " + OUTAGE_S + " s while stage 0 keeps failing records, restored"
                            + " with flux topics create", figures, recovery, run.seconds(), "max.poll.interval.ms "
                            + MAX_POLL_INTERVAL_MS / 1000 + " s: no rebalance; " + completedDuringOutage + " completed before"
                            + " the restore; recovery: first stage-1 call after it");
            assertEquals(0, figures.lost(), "lost: " + figures);
            assertEquals(0, figures.early(), "early: " + figures);
            assertEquals(List.of(0, 0), exits, run.outputs());
        }
    }

    private static int count(String text, String phrase) {
        int count = 0;
        for (int at = text.indexOf(phrase); at >= 0; at = text.indexOf(phrase, at + 1)) {
            count++;
        }
        return count;
    }
}
