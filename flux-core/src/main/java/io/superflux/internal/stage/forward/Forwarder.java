package io.superflux.internal.stage.forward;

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
public final class Forwarder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
    private final Producer<byte[], byte[]> producer;
    private final boolean transactional;
    private boolean inTransaction;
    private volatile io.superflux.internal.kafka.ClientMetrics metrics;

    public Forwarder(Map<String, Object> properties) {
        this(new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer()), false);
    }

    public Forwarder(Producer<byte[], byte[]> producer) {
        this(producer, false);
    }

    public Forwarder(Producer<byte[], byte[]> producer, boolean transactional) {
        this.producer = producer;
        this.transactional = transactional;
    }

    /**
     * A transactional forwarder for one stage ({@code properties} carry its {@code transactional.id}):
     * initialises its transactions, which fences an earlier producer with the same id and aborts
     * the transaction it left open.
     */
    public static Forwarder transactional(Map<String, Object> properties) {
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
    public boolean transactional() {
        return transactional;
    }

    /**
     * Sends {@code record}; {@code callback} runs on Kafka's I/O thread, or on this thread before
     * {@code send} returns if the send fails at once (kafka-clients calls back on the caller's
     * thread then: no metadata within max.block.ms, a record too large). Returns the error it
     * failed with at once, or null.
     */
    public Exception send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        Thread sender = Thread.currentThread();
        Exception[] atOnce = {null};
        Callback answered = (metadata, error) -> {
            if (Thread.currentThread() == sender) {
                atOnce[0] = error;
            }
            callback.onCompletion(metadata, error);
        };
        try {
            if (transactional && !inTransaction) {
                producer.beginTransaction();
                inTransaction = true;
            }
            producer.send(record, answered);
        } catch (RuntimeException e) {
            answered.onCompletion(null, e);
        }
        return atOnce[0];
    }

    /** Whether a transaction is open (exactly-once). */
    public boolean inTransaction() {
        return inTransaction;
    }

    /**
     * Commits the open transaction (one is opened if none is) with {@code offsets} as the stage's
     * consumer group's commit: the forwards and the offsets become visible together, or neither.
     * Throws what kafka-clients throws; the caller aborts (or, if fenced, stops).
     */
    public void commitTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
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

    /**
     * Aborts the open transaction, if any: its forwards are never read by read_committed
     * consumers. Throws what kafka-clients throws; a timed-out abort may be retried.
     */
    public void abortTransaction() {
        if (inTransaction) {
            producer.abortTransaction();
            inTransaction = false;
        }
    }

    /**
     * Commits the open transaction again after a commit that timed out (kafka-clients allows only
     * that, or closing the producer: an abort would throw IllegalStateException).
     */
    public void retryCommit() {
        producer.commitTransaction();
        inTransaction = false;
    }

    /**
     * Fetches the metadata of {@code topics} now, so that forwarding to them never waits for it
     * on a poll thread. A topic that does not answer is left for the first forward to find out.
     */
    public void warmUp(List<String> topics) {
        for (String topic : topics) {
            try {
                producer.partitionsFor(topic);
            } catch (RuntimeException e) {
                log.debug("no metadata yet for {}: {}", topic, e.toString());
            }
        }
    }

    /** Sends what is buffered and waits for every forward in flight. */
    public void flush() {
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
    public void bindMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
        metrics = io.superflux.internal.kafka.ClientMetrics.of(producer, registry);
    }
}
