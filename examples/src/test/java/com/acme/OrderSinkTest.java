package com.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.producer.Producer;
import io.superflux.producer.ProducerSpec;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

/** The batch sink against a real broker and H2: rows written once per order, bad values to the dead letters. */
@ExtendWith(EmbeddedKafkaExtension.class)
class OrderSinkTest {
    private static final String URL = "jdbc:h2:mem:orders-test;DB_CLOSE_DELAY=-1";

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
        System.clearProperty("orders.jdbc-url");
    }

    private static void produce(int orders) throws Exception {
        Producer<String> producer = Producer.of(ProducerSpec.topic("orders"));
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (int i = 0; i < orders; i++) {
            String value = i % 100 == 42 ? "garbage-" + i : "order-" + (i % 250) + "," + i;
            sent.add(producer.produce(value, "order-" + (i % 250)));
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    private static long rows() throws Exception {
        try (Connection connection = DriverManager.getConnection(URL); Statement query = connection.createStatement();
             ResultSet result = query.executeQuery("SELECT COUNT(*) FROM orders")) {
            result.next();
            return result.getLong(1);
        } catch (org.h2.jdbc.JdbcSQLSyntaxErrorException e) {
            return 0; // the table is not there yet
        }
    }

    @Test
    void ordersAreWrittenOncePerIdAndRecordsReadAgainAreAbsorbed(EmbeddedKafka kafka) throws Exception {
        System.setProperty("orders.jdbc-url", URL);
        kafka.createTopic("orders", 3);
        SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).clientId("order-sink-test").retryTimeScale(0.001)
                .set("flux.consumer.commit-interval", "100ms"));
        produce(1_000);
        Worker worker = SuperFlux.start(new OrderSink());
        awaitRows(250);

        Set<String> dead = kafka.readAll("orders-order-sink-dlq", 10, Duration.ofSeconds(60)).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)).collect(Collectors.toSet());
        assertEquals(Set.of("garbage-42", "garbage-142", "garbage-242", "garbage-342", "garbage-442", "garbage-542",
                "garbage-642", "garbage-742", "garbage-842", "garbage-942"), dead, "only the bad values, each alone");

        produce(1_000); // the same orders again, as a crash before the commit would have the sink read them
        awaitCommitted(kafka, 2_000);
        assertEquals(250, rows(), "the records read again overwrote their rows");
        worker.stop();
        assertTrue(worker.awaitTermination(Duration.ofSeconds(30)));
    }

    private static void awaitRows(long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (rows() != expected) {
            assertTrue(System.nanoTime() < deadline, "rows: " + rows() + " of " + expected);
            Thread.sleep(50);
        }
    }

    private static void awaitCommitted(EmbeddedKafka kafka, long records) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (committed(kafka) < records) {
            assertTrue(System.nanoTime() < deadline, "committed " + committed(kafka) + " of " + records);
            Thread.sleep(50);
        }
    }

    private static long committed(EmbeddedKafka kafka) throws Exception {
        return kafka.admin().listConsumerGroupOffsets("order-sink").partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
                .values().stream().mapToLong(offset -> offset == null ? 0 : offset.offset()).sum();
    }
}
