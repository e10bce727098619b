package io.superflux.faults;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;
import io.superflux.testkit.FluxWorkerProcess;

/**
 * flux.delivery = exactly-once under SIGKILL: the main worker (every record fails into the retry
 * topic) is killed three times and the retry worker (a tenth fail on into the dead letters) twice,
 * each restarted at once with the same instance id. Then the retry and dead-letter topics are
 * read as read_committed consumers read them: in exactly-once mode no record is there twice, and
 * none is missing. The same run in at-least-once mode reports the duplicates it may leave.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class ExactlyOnceKillIT {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"exactly-once", "at-least-once"})
    void sigkilledWorkersLeaveNoForwardTwiceInExactlyOnceMode(String delivery, EmbeddedKafka kafka) throws Exception {
        int records = FaultRun.FULL ? 6_000 : 2_000;
        try (FaultRun run = new FaultRun(Brokers.of(kafka), "eos-kill-" + delivery, 4, 1, Map.of())) {
            run.task("faults.call-ms", 3).task("faults.backoff-ms", 500).env("FLUX_DELIVERY", delivery);
            run.produce(0, records, id -> id % 10 == 7 ? "dead" : "retry");
            Map<String, String> mainId = Map.of("FLUX_INSTANCE_ID", "eos-main");
            Map<String, String> retryId = Map.of("FLUX_INSTANCE_ID", "eos-retry");
            FluxWorkerProcess main = run.start("0", mainId);
            FluxWorkerProcess retries = run.start("1-3", retryId);

            int[] killStages = {0, 0, 1, 0, 1};
            int[] killAfterCalls = {records / 5, records * 2 / 5, records / 4, records * 3 / 5, records / 2};
            for (int kill = 0; kill < killStages.length; kill++) {
                int stage = killStages[kill];
                run.awaitCalls(stage, killAfterCalls[kill], Duration.ofMinutes(2));
                FluxWorkerProcess victim = stage == 0 ? main : retries;
                victim.kill();
                FluxWorkerProcess restarted = run.start(stage == 0 ? "0" : "1-3", stage == 0 ? mainId : retryId);
                if (stage == 0) {
                    main = restarted;
                } else {
                    retries = restarted;
                }
            }
            run.awaitCompleted(records, Duration.ofMinutes(3));
            List<Integer> exits = run.stopAll();

            Map<Integer, Integer> retried = idsIn(kafka, run.stageTopic(1));
            Map<Integer, Integer> dead = idsIn(kafka, run.stageTopic(run.deadLetterStage()));
            int duplicates = duplicates(retried) + duplicates(dead);
            Figures figures = run.figures();
            FaultResults.record("worker SIGKILL ×5 while forwarding (main ×3, retry ×2), " + delivery, figures, 0,
                    run.seconds(), "4 partitions; " + duplicates + " duplicate forward(s) in the retry and dead-letter"
                            + " topics (read_committed)");
            assertEquals(records, retried.size(), "every record forwarded to the retry topic");
            assertEquals(records / 10, dead.size(), "every tenth record dead-lettered");
            assertEquals(0, figures.lost(), "lost: " + figures);
            assertEquals(List.of(0, 0), exits, "the survivors stop cleanly");
            if (delivery.equals("exactly-once")) {
                assertEquals(0, duplicates, "exactly-once: no forward twice; retry topic " + retried.size()
                        + " ids, dead letters " + dead.size() + " ids");
            } else {
                assertTrue(duplicates >= 0, "at-least-once may forward a record again after a kill: " + duplicates);
            }
        }
    }

    /** How often each record id appears in {@code topic}, read as a read_committed consumer reads it. */
    private static Map<Integer, Integer> idsIn(EmbeddedKafka kafka, String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("group.id", "eos-reader-" + UUID.randomUUID());
        props.put("isolation.level", "read_committed");
        Map<Integer, Integer> ids = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    ids.merge(Integer.parseInt(new String(record.value(), UTF_8).split(":")[0]), 1, Integer::sum);
                }
            }
        }
        return ids;
    }

    private static int duplicates(Map<Integer, Integer> ids) {
        return ids.values().stream().mapToInt(n -> n - 1).sum();
    }
}
