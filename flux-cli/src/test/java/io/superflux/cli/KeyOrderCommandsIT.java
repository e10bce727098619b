package io.superflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;
import io.superflux.testkit.FluxWorkerProcess;

/**
 * Ordered retries as an operator sees them: a dead letter that holds its key (the task's policy),
 * {@code flux topics describe} listing the held key, and {@code flux dlq release --key} letting its
 * parked records go on, in their order.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class KeyOrderCommandsIT {
    private static final String LOAD = FluxProcess.TEST_CLASSES.toString();
    private static final String TASK = "io.superflux.cli.testapp.OrderedTask";

    @Test
    void aKeyHeldByItsDeadLetterIsDescribedAndReleasedByTheOperator(EmbeddedKafka kafka) throws Exception {
        String topic = kafka.createUniqueTopic("ordered-ops", 1);
        kafka.createTopic(topic + "-sink", 1);
        Map<String, String> env = Map.of("FLUX_KAFKA_BROKERS", kafka.bootstrapServers(), "FLUX_CONSUMER_COMMIT_INTERVAL", "200ms",
                "FLUX_HTTP_PORT", "0");
        Map<String, String> properties = Map.of("cli.test.topic", topic);
        FluxWorkerProcess worker = FluxProcess.start(env, properties, null, "process", "--load", LOAD, TASK);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (String[] record : new String[][] {{"acct-1", "poison-0"}, {"acct-1", "v-1"}, {"acct-2", "v-2"}, {"acct-1", "v-3"}}) {
                producer.send(new ProducerRecord<>(topic, record[0], record[1])).get(10, TimeUnit.SECONDS);
            }
        }
        assertEquals(List.of("v-2"), values(kafka.readAll(topic + "-sink", 1, Duration.ofSeconds(60))), worker.output());
        kafka.readAll(topic + "-ordered-dlq", 1, Duration.ofSeconds(60)); // poison-0 is dead-lettered: acct-1 stays held

        FluxWorkerProcess describe = FluxProcess.run(env, properties, null, "topics", "describe", "--load", LOAD, TASK);
        assertEquals(0, describe.exitCode(), describe.output());
        assertTrue(describe.output().contains("1 key(s) held, 2 record(s) parked"), describe.output());
        assertTrue(describe.output().matches("(?s).*\\n0 +acct-1 +0 .* 2 in the chain.*"), describe.output());
        assertEquals(List.of("v-2"), values(kafka.readAll(topic + "-sink", 1, Duration.ofSeconds(2))),
                "acct-1's later records wait behind its dead letter");

        FluxWorkerProcess unknown = FluxProcess.run(env, properties, null, "dlq", "release", "--key", "acct-9", "--load", LOAD, TASK);
        assertEquals(1, unknown.exitCode(), unknown.output());
        assertTrue(unknown.output().contains("key 'acct-9' is not held"), unknown.output());

        FluxWorkerProcess release = FluxProcess.run(env, properties, null, "dlq", "release", "--key", "acct-1", "--load", LOAD, TASK);
        assertEquals(0, release.exitCode(), release.output());
        assertTrue(release.output().contains("Released key 'acct-1'"), release.output());
        assertEquals(List.of("v-2", "v-1", "v-3"), values(kafka.readAll(topic + "-sink", 3, Duration.ofSeconds(60))),
                "released, acct-1's records go on in their order\n" + worker.output());
        worker.terminate();
        assertEquals(0, worker.waitFor(Duration.ofSeconds(60)), worker.output());
    }

    private static List<String> values(List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }
}
