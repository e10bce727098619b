package io.superflux.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.superflux.SuperFlux;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

/**
 * A produce called from a delivery's dependent action — the natural way to chain messages with
 * CompletableFuture — must not deadlock the cluster's producer when its buffer is full: Kafka's
 * I/O thread, which completes deliveries, is the only thread that frees buffer space.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class ProducerReentrancyTest {

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    @Test
    void produceFromADependentActionOfAFullBufferNeitherDeadlocksNorLosesAMessage(EmbeddedKafka kafka) {
        String topic = kafka.createUniqueTopic("chained", 1);
        SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).maxBufferSize(4).shutdownTimeout(Duration.ofSeconds(5)));
        Producer<String> producer = Producer.of(ProducerSpec.topic(topic));
        List<CompletableFuture<Delivery>> children = Collections.synchronizedList(new ArrayList<>());

        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            List<CompletableFuture<Void>> parents = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int parent = i;
                parents.add(producer.produce("parent-" + i).thenAccept(delivered -> {
                    // two more for each one delivered: more than the delivery freed
                    children.add(producer.produce("child-" + parent + "-a"));
                    children.add(producer.produce("child-" + parent + "-b"));
                }));
            }
            CompletableFuture.allOf(parents.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
            CompletableFuture.allOf(children.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
            SuperFlux.shutdown();
        }, "the producer deadlocked");

        assertEquals(12, kafka.readAll(topic, 12, Duration.ofSeconds(10)).size());
    }
}
