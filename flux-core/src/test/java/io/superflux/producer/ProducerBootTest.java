package io.superflux.producer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.superflux.SuperFlux;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

/** Lazy, thread-safe start of one shared KafkaProducer per cluster; two clusters side by side. */
@ExtendWith(EmbeddedKafkaExtension.class)
class ProducerBootTest {
    private static final int THREADS = 32;

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    @Test
    void threadsRacingOnFirstUseStartExactlyOneKafkaProducerPerCluster(EmbeddedKafka kafka) throws Exception {
        try (EmbeddedKafka second = EmbeddedKafka.start()) {
            SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).clientId("race-main")
                    .producerProperty("metric.reporters", CountingReporter.class.getName())
                    .cluster("second", cluster -> cluster.brokers(second.bootstrapServers()).clientId("race-second")));
            String mainTopic = kafka.createUniqueTopic("race-main", 3);
            String secondTopic = "race-second-only";
            second.createTopic(secondTopic, 3);

            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            List<Future<CompletableFuture<Delivery>>> sends = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                sends.add(pool.submit(() -> {
                    start.await();
                    // Producer instances of their own, as classes are instantiated in real code.
                    return thread % 2 == 0
                            ? new TopicProducer(mainTopic).produce("main-" + thread, "k" + thread)
                            : new TopicProducer(secondTopic, "second").produce("second-" + thread, "k" + thread);
                }));
            }
            start.countDown();
            for (Future<CompletableFuture<Delivery>> send : sends) {
                send.get(60, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();

            assertEquals(1, CountingReporter.CLIENTS.get("race-main").get(), "KafkaProducers for the default cluster");
            assertEquals(1, CountingReporter.CLIENTS.get("race-second").get(), "KafkaProducers for cluster 'second'");

            // Each producer wrote to its own cluster only.
            assertEquals(THREADS / 2, kafka.readAll(mainTopic, THREADS / 2, Duration.ofSeconds(20)).stream()
                    .filter(r -> new String(r.value(), UTF_8).startsWith("main-")).count());
            assertEquals(THREADS / 2, second.readAll(secondTopic, THREADS / 2, Duration.ofSeconds(20)).stream()
                    .filter(r -> new String(r.value(), UTF_8).startsWith("second-")).count());
            assertEquals(List.of(), kafka.admin().listTopics().names().get().stream()
                    .filter(secondTopic::equals).toList(), "the default cluster never saw the second cluster's topic");
            SuperFlux.shutdown();
        }
    }
}
