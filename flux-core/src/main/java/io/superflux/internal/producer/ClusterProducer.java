package io.superflux.internal.producer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

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
 *
 * <p>Kafka's I/O thread reports deliveries, and it is also the only thread that frees buffer
 * space: it must never wait for it. A delivery whose future has dependent actions (which may
 * produce again, and wait) is therefore completed on this cluster's delivery thread; one without
 * is completed at once. A {@code produce} that runs on the I/O thread anyway (a dependent added
 * at the very moment of completion) takes a buffer slot only if one is free and never waits.
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
    private final io.superflux.internal.kafka.ClientMetrics clientMetrics;
    private final ExecutorService deliveries;
    private volatile Thread ioThread;
    private volatile boolean closed;

    private ClusterProducer(String cluster, Producer<byte[], byte[]> kafka, int maxBufferSize, MeterRegistry meters) {
        this.cluster = cluster;
        this.kafka = kafka;
        this.maxBufferSize = maxBufferSize;
        this.permits = new Semaphore(maxBufferSize);
        this.meters = meters;
        this.deliveries = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "flux-deliveries-" + cluster);
            thread.setDaemon(true);
            return thread;
        });
        this.clientMetrics = io.superflux.internal.kafka.ClientMetrics.of(kafka, meters);
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

    /** A cluster producer over {@code kafka} (tests give it a producer of their own). */
    static ClusterProducer over(String cluster, Producer<byte[], byte[]> kafka, int maxBufferSize, MeterRegistry meters) {
        return new ClusterProducer(cluster, kafka, maxBufferSize, meters);
    }

    /** The sender for one topic: it holds the topic's meters so the hot path looks nothing up. */
    public TopicSender sender(String topic) {
        return senders.computeIfAbsent(topic, t -> new TopicSender(this, cluster, t, meters));
    }

    CompletableFuture<Delivery> send(ProducerRecord<byte[], byte[]> record, TopicSender sender) {
        CompletableFuture<Delivery> delivery = new CompletableFuture<>();
        boolean permit;
        if (Thread.currentThread() == ioThread) {
            permit = permits.tryAcquire(); // never wait on the thread that frees the buffer
        } else {
            try {
                // Full: wait for deliveries. Batches are sent as they fill and at the latest after
                // delivery-interval, so waiting is enough; a flush() here would stall every sender.
                permits.acquire();
                permit = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                delivery.completeExceptionally(new InterruptException("interrupted while waiting for deliveries", e));
                return delivery;
            }
        }
        boolean held = permit;
        Thread caller = Thread.currentThread();
        try {
            kafka.send(record, (metadata, error) -> {
                // kafka-clients calls back on the caller's thread when a send fails at once: that is
                // not its I/O thread, which only ever calls back for sends made on other threads.
                if (ioThread == null && Thread.currentThread() != caller) {
                    ioThread = Thread.currentThread();
                }
                // Release first: a dependent action that produces again finds the slot free.
                if (held) {
                    permits.release();
                }
                if (error == null) {
                    sender.sent.increment();
                    Delivery delivered = new Delivery(metadata.topic(), metadata.partition(), metadata.offset(),
                            metadata.timestamp());
                    complete(delivery, () -> delivery.complete(delivered));
                } else {
                    fail(sender, delivery, error);
                }
            });
        } catch (RuntimeException e) {
            // send() throws for a closed producer, an invalid record or a full buffer.memory.
            if (held) {
                permits.release();
            }
            fail(sender, delivery, e);
        }
        return delivery;
    }

    /** Completes at once when nothing depends on the future; otherwise off Kafka's I/O thread. */
    private void complete(CompletableFuture<Delivery> delivery, Runnable completion) {
        if (delivery.getNumberOfDependents() == 0) {
            completion.run();
            return;
        }
        try {
            deliveries.execute(completion);
        } catch (RejectedExecutionException closed) {
            completion.run(); // a callback after close: nothing waits on this thread any more
        }
    }

    private void fail(TopicSender sender, CompletableFuture<Delivery> delivery, Throwable error) {
        sender.failed.increment();
        log.error("Flux could not deliver a message to topic '{}' on cluster '{}': {}", sender.topic(), cluster,
                error.toString());
        complete(delivery, () -> delivery.completeExceptionally(error));
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
        clientMetrics.close();
        deliveries.shutdown(); // after Kafka's last callback: every delivery is completed
        try {
            if (!deliveries.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Dependent actions of deliveries on cluster '{}' still run after {}", cluster, timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        meters.remove(unacknowledgedGauge); // a restarted producer registers its own
        senders.values().forEach(TopicSender::removeMeters);
        log.info("Flux producer for cluster '{}' closed ({} messages were pending at close)", cluster, pending);
    }
}
