package io.superflux.internal.task;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends failed records to their next stage with an idempotent, {@code acks=all} producer of its
 * own. Bytes go as they came: no re-serialisation. Thread-safe; shared by a worker's stages.
 */
final class Forwarder implements AutoCloseable {
    private final Producer<byte[], byte[]> producer;

    Forwarder(Map<String, Object> properties) {
        this.producer = new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends {@code record}; {@code callback} runs on Kafka's I/O thread, or here if sending fails at once. */
    void send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        try {
            producer.send(record, callback);
        } catch (RuntimeException e) {
            callback.onCompletion(null, e);
        }
    }

    /** Sends what is buffered and waits for every forward in flight. */
    void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(30));
    }
}
