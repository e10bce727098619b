package io.superflux.internal.task;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends failed records to their next stage with an idempotent, {@code acks=all} producer of its
 * own. Bytes go as they came: no re-serialisation. Thread-safe; shared by a worker's stages.
 */
final class Forwarder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
    private final Producer<byte[], byte[]> producer;
    private volatile io.superflux.internal.kafka.ClientMetrics metrics;

    Forwarder(Map<String, Object> properties) {
        this(new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer()));
    }

    Forwarder(Producer<byte[], byte[]> producer) {
        this.producer = producer;
    }

    /** Sends {@code record}; {@code callback} runs on Kafka's I/O thread, or here if sending fails at once. */
    void send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        try {
            producer.send(record, callback);
        } catch (RuntimeException e) {
            callback.onCompletion(null, e);
        }
    }

    /**
     * Fetches the metadata of {@code topics} now, so that forwarding to them never waits for it
     * on a poll thread. A topic that does not answer is left for the first forward to find out.
     */
    void warmUp(List<String> topics) {
        for (String topic : topics) {
            try {
                producer.partitionsFor(topic);
            } catch (RuntimeException e) {
                log.debug("no metadata yet for {}: {}", topic, e.toString());
            }
        }
    }

    /** Sends what is buffered and waits for every forward in flight. */
    void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(30));
        if (metrics != null) {
            metrics.close();
        }
    }

    /** Shows the producer's own metrics in {@code registry} until closed. */
    void bindMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
        metrics = io.superflux.internal.kafka.ClientMetrics.of(producer, registry);
    }
}
