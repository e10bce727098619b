package io.superflux.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Brokers as processes: killed, restarted on their data, and nothing acknowledged is lost. */
class KafkaClusterTest {

    @Test
    void aKilledLeaderLosesNoAcknowledgedRecordAndComesBackOnItsData() throws Exception {
        try (KafkaCluster kafka = KafkaCluster.builder().nodes(3).start()) {
            kafka.createTopic("orders", 2, 3, Map.of("min.insync.replicas", "2"));
            Map<String, Object> props = new HashMap<>(kafka.clientProperties());
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>("orders", 0, "k", "before-" + i)).get(30, TimeUnit.SECONDS);
                }
                int leader = kafka.leader("orders", 0);
                kafka.kill(leader);
                assertFalse(kafka.isRunning(leader));
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>("orders", 0, "k", "after-" + i)).get(60, TimeUnit.SECONDS);
                }
                assertNotEquals(leader, kafka.leader("orders", 0), "leadership moved");
                kafka.start(leader);
                assertTrue(kafka.isRunning(leader));
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!kafka.inSyncReplicas("orders", 0).contains(leader) && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                assertTrue(kafka.inSyncReplicas("orders", 0).contains(leader), "the restarted node caught up on its data");
            }
            assertEquals(200, kafka.readAll("orders", 200, Duration.ofSeconds(30)).stream()
                    .filter(r -> r.partition() == 0).count());
        }
    }
}
