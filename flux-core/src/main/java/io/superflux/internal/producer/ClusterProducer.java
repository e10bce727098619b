package io.superflux.internal.producer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.superflux.ClusterSettings;
import io.superflux.ProducerSettings;
import io.superflux.internal.kafka.ClientProperties;
import io.superflux.producer.Delivery;

/**
 * The one {@link KafkaProducer} of a cluster, shared by every producer class that writes to it.
 *
 * <p>Back-pressure: at most {@code max-buffer-size} messages are unacknowledged at once. When
 * that many are out, {@link #send} waits for a delivery: the caller slows down, nothing is
 * dropped. (Kafka sends a batch as soon as it is full, and any batch after {@code linger.ms}.)
 *
 * <p>Every delivery failure fails the returned future, is logged at ERROR and is counted.
 */
public final class ClusterProducer {
    private static final Logger log = LoggerFactory.getLogger(ClusterProducer.class);

    private final String cluster;
    private final Producer<byte[], byte[]> kafka;
    private final Semaphore permits;
    private final int maxBufferSize;
    private final MeterRegistry meters;
    private final Map<String, TopicSender> senders = new ConcurrentHashMap<>();
    private final Gauge unacknowledgedGauge;
    private volatile boolean closed;

    private ClusterProducer(String cluster, Producer<byte[], byte[]> kafka, int maxBufferSize, MeterRegistry meters) {
        this.cluster = cluster;
        this.kafka = kafka;
        this.maxBufferSize = maxBufferSize;
        this.permits = new Semaphore(maxBufferSize);
        this.meters = meters;
        this.unacknowledgedGauge = Gauge.builder("flux.producer.unacknowledged", this, ClusterProducer::unacknowledged)
                .description("messages sent and not yet acknowledged")
                .tag("cluster", cluster)
                .register(meters);
    }

    /** Starts the cluster's Kafka producer. */
    public static ClusterProducer start(ClusterSettings cluster, ProducerSettings settings, MeterRegistry meters) {
        KafkaProducer<byte[], byte[]> kafka = new KafkaProducer<>(ClientProperties.producer(cluster, settings),
                new ByteArraySerializer(), new ByteArraySerializer());
        log.info("Flux producer started for cluster '{}': brokers={}, client.id={}, compression={}, acks={},"
                        + " max-buffer-size={}, delivery-interval={}ms", cluster.name(), cluster.brokers(), cluster.clientId(),
                settings.compressionCodec().configValue(), settings.requiredAcks().configValue(),
                settings.maxBufferSize(), settings.deliveryInterval().toMillis());
        return new ClusterProducer(cluster.name(), kafka, settings.maxBufferSize(), meters);
    }

    /** The sender for one topic: it holds the topic's meters so the hot path looks nothing up. */
    public TopicSender sender(String topic) {
        return senders.computeIfAbsent(topic, t -> new TopicSender(this, cluster, t, meters));
    }

    CompletableFuture<Delivery> send(ProducerRecord<byte[], byte[]> record, TopicSender sender) {
        CompletableFuture<Delivery> delivery = new CompletableFuture<>();
        try {
            // Full: wait for deliveries. Batches are sent as they fill and at the latest after
            // delivery-interval, so waiting is enough; a flush() here would stall every sender.
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            delivery.completeExceptionally(new InterruptException("interrupted while waiting for deliveries", e));
            return delivery;
        }
        try {
            kafka.send(record, (metadata, error) -> {
                // Release first: a dependent stage that produces again must not wait on this thread.
                permits.release();
                if (error == null) {
                    sender.sent.increment();
                    delivery.complete(new Delivery(metadata.topic(), metadata.partition(), metadata.offset(),
                            metadata.timestamp()));
                } else {
                    fail(sender, delivery, error);
                }
            });
        } catch (RuntimeException e) {
            // send() throws for a closed producer, an invalid record or a full buffer.memory.
            permits.release();
            fail(sender, delivery, e);
        }
        return delivery;
    }

    private void fail(TopicSender sender, CompletableFuture<Delivery> delivery, Throwable error) {
        sender.failed.increment();
        log.error("Flux could not deliver a message to topic '{}' on cluster '{}': {}", sender.topic(), cluster,
                error.toString());
        delivery.completeExceptionally(error);
    }

    /** Sends every buffered message now and waits until all sent so far are acknowledged or failed. */
    public void flush() {
        kafka.flush();
    }

    /** Messages sent and not yet acknowledged. */
    public int unacknowledged() {
        return maxBufferSize - permits.availablePermits();
    }

    boolean isClosed() {
        return closed;
    }

    /** Delivers what is buffered (waiting up to {@code timeout}) and closes the Kafka producer. */
    public void close(Duration timeout) {
        closed = true;
        int pending = unacknowledged();
        kafka.close(timeout);
        meters.remove(unacknowledgedGauge); // a restarted producer registers its own
        senders.values().forEach(TopicSender::removeMeters);
        log.info("Flux producer for cluster '{}' closed ({} messages were pending at close)", cluster, pending);
    }
}
