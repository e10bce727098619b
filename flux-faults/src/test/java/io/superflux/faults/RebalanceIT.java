package io.superflux.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.FluxWorkerProcess;

/**
 * A rebalance of the retry stages while they hold records for their due times: two retry
 * workers share the retry topics, one is SIGKILLed and a third joins. The throttle's state (which
 * partitions are paused until when) does not survive a move, so this is where a record could be
 * handled early or a partition left paused forever. With the classic protocol's default assignors
 * (range first: eager), with the cooperative-sticky assignor (incremental), and with Kafka 4's
 * consumer group protocol (KIP-848, assignment by the broker).
 */
class RebalanceIT {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        // The KIP-848 protocol takes the session timeout from the broker (45 s by default).
        kafka = EmbeddedKafka.builder().brokerProperty("group.consumer.min.session.timeout.ms", 6_000)
                .brokerProperty("group.consumer.session.timeout.ms", 10_000).start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"classic, default assignors", "classic, cooperative-sticky", "consumer (KIP-848)"})
    void aRetryWorkerKilledAndAThirdJoiningWhileRecordsAreHeld(String protocol) throws Exception {
        int records = FaultRun.FULL ? 8_000 : 3_000;
        String name = "rebalance-" + protocol.replaceAll("[^a-z]+", "-").replaceAll("-$", "");
        try (FaultRun run = new FaultRun(Brokers.of(kafka), name, 4, 1, Map.of())) {
            run.task("faults.concurrency", 4).task("faults.call-ms", 10).task("faults.backoff-ms", 6_000);
            if (protocol.contains("cooperative")) {
                run.env("FLUX_CONSUMER_PROPERTIES_PARTITION_ASSIGNMENT_STRATEGY",
                        "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
            } else if (protocol.startsWith("consumer")) {
                // The client may not set a session timeout under this protocol: the broker's applies.
                run.env("FLUX_CONSUMER_PROPERTIES_SESSION_TIMEOUT_MS", null).env("FLUX_CONSUMER_PROPERTIES_GROUP_PROTOCOL", "consumer");
            }
            run.produce(0, records, id -> id % 100 == 7 ? "dead" : id % 4 == 1 ? "retry" : "ok");
            run.start("0");
            FluxWorkerProcess victim = run.start("1-3");
            run.start("1-3");

            // Mid-run: stage 1 has handled some records and holds many more until their due times.
            run.awaitCalls(1, victim, records / 4 / 10, Duration.ofMinutes(2));
            victim.kill();
            FluxWorkerProcess joiner = run.start("1-3");
            run.awaitCompleted(records, Duration.ofMinutes(3));
            double late = run.latestSeconds(1);
            List<Integer> exits = run.stopAll();

            Figures figures = run.figures();
            FaultResults.record("rebalance of held retry records, " + protocol + ": 1 of 2 retry workers SIGKILLed, a third joins",
                    figures, late, run.seconds(), "4 partitions, concurrency 4, 6 s waits; recovery: the latest a due"
                            + " stage-1 record was handled");
            assertEquals(0, figures.lost(), "lost: " + figures);
            assertEquals(0, figures.early(), "early: " + figures);
            assertEquals(List.of(0, 0, 0), exits, "main, survivor and joiner stop cleanly\n" + run.outputs());
            assertTrue(java.util.regex.Pattern.compile("assigned partitions \\[\\d").matcher(joiner.output()).find(),
                    "the joiner got partitions\n" + joiner.output());
        }
    }
}
