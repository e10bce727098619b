package io.superflux.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The raw {@code KafkaConsumer} loop a strong engineer writes for at-least-once, on a thread of
 * its own: poll, handle each record in the loop, commit asynchronously once a second (or, to
 * report the common slower variant, after every poll that returned records). Closing it stops
 * the loop and commits synchronously.
 */
final class RawPollLoop implements AutoCloseable {
    private static final long COMMIT_INTERVAL_NANOS = 1_000_000_000L;

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    RawPollLoop(String bootstrap, String topic, String group, boolean commitEveryPoll, Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        thread = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Kafka.consumer(bootstrap, group),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(topic));
                long lastCommit = System.nanoTime();
                while (running.get()) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        handler.accept(record);
                    }
                    if (commitEveryPoll ? !records.isEmpty() : System.nanoTime() - lastCommit >= COMMIT_INTERVAL_NANOS) {
                        consumer.commitAsync();
                        lastCommit = System.nanoTime();
                    }
                }
                consumer.commitSync();
            }
        }, "bench-raw-consumer");
        thread.start();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join();
    }
}
