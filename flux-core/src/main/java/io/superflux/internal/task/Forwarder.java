package io.superflux.internal.task;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends failed records to their next stage with an idempotent, {@code acks=all} producer of its
 * own. Bytes go as they came: no re-serialisation. At-least-once, it is thread-safe and shared by
 * a worker's stages. Exactly-once ({@link #transactional}), each stage has its own: a send opens a
 * transaction if none is open, and {@link #commitTransaction} closes it with the stage's offsets;
 * then it is used by its stage's thread only.
 */
final class Forwarder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
    private final Producer<byte[], byte[]> producer;
    private final boolean transactional;
    private boolean inTransaction;
    private volatile io.superflux.internal.kafka.ClientMetrics metrics;

    Forwarder(Map<String, Object> properties) {
        this(new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer()), false);
    }

    Forwarder(Producer<byte[], byte[]> producer) {
        this(producer, false);
    }

    Forwarder(Producer<byte[], byte[]> producer, boolean transactional) {
        this.producer = producer;
        this.transactional = transactional;
    }

    /**
     * A transactional forwarder for one stage ({@code properties} carry its {@code transactional.id}):
     * initialises its transactions, which fences an earlier producer with the same id and aborts
     * the transaction it left open.
     */
    static Forwarder transactional(Map<String, Object> properties) {
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
        try {
            producer.initTransactions();
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        return new Forwarder(producer, true);
    }

    /** Whether this forwarder writes in transactions. */
    boolean transactional() {
        return transactional;
    }

    /** Sends {@code record}; {@code callback} runs on Kafka's I/O thread, or here if sending fails at once. */
    void send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        try {
            if (transactional && !inTransaction) {
                producer.beginTransaction();
                inTransaction = true;
            }
            producer.send(record, callback);
        } catch (RuntimeException e) {
            callback.onCompletion(null, e);
        }
    }

    /**
     * Commits the open transaction (one is opened if none is) with {@code offsets} as the stage's
     * consumer group's commit: the forwards and the offsets become visible together, or neither.
     * Throws what kafka-clients throws; the caller aborts (or, if fenced, stops).
     */
    void commitTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        if (!inTransaction) {
            if (offsets.isEmpty()) {
                return;
            }
            producer.beginTransaction();
            inTransaction = true;
        }
        if (!offsets.isEmpty()) {
            producer.sendOffsetsToTransaction(offsets, group);
        }
        producer.commitTransaction();
        inTransaction = false;
    }

    /** Aborts the open transaction, if any: its forwards are never read by read_committed consumers. */
    void abortTransaction() {
        if (inTransaction) {
            inTransaction = false;
            producer.abortTransaction();
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
