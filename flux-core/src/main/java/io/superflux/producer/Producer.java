package io.superflux.producer;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

import io.superflux.internal.FluxRuntime;
import io.superflux.internal.kafka.ClientProperties;
import io.superflux.internal.producer.TopicSender;

/**
 * A producer for one topic. Write one small class per topic:
 *
 * <pre>{@code
 * public final class AwesomeProducer extends Producer<String> {
 *     public AwesomeProducer() {
 *         super(ProducerSpec.topic("awesome"));
 *     }
 * }
 *
 * new AwesomeProducer().produce("MESSAGE", "KEY");
 * }</pre>
 *
 * <p>Instances are cheap and thread-safe: every producer of a cluster shares that cluster's one
 * Kafka producer, which starts on the first {@code produce} (from whichever thread comes first).
 * Messages are batched and sent after at most {@code flux.producer.delivery-interval}; when
 * {@code flux.producer.max-buffer-size} messages are unacknowledged, {@code produce} flushes and
 * waits instead of failing or dropping. {@link io.superflux.SuperFlux#shutdown()} and a JVM
 * shutdown hook deliver whatever is buffered.
 *
 * <p>The partition key is the record key (UTF-8), so a key lands on the partition any other Java
 * client's default partitioner picks for it. Each {@code produce} returns a future that completes
 * when Kafka acknowledged the message, or fails with Kafka's error (which is also logged at ERROR
 * and counted in {@code flux.producer.errors}). The future completes on Kafka's I/O thread: keep
 * dependent actions short, or use the {@code …Async} methods.
 *
 * @param <V> the value type
 */
public class Producer<V> {
    private static final Iterable<Header> NO_HEADERS = new RecordHeaders();

    private final ProducerSpec<V> spec;
    private volatile TopicSender sender;

    /** A producer for the topic, serializer and cluster in {@code spec}. */
    protected Producer(ProducerSpec<V> spec) {
        this.spec = java.util.Objects.requireNonNull(spec, "spec");
    }

    /** A producer without a class of its own, e.g. {@code Producer.of(ProducerSpec.topic("logs"))}. */
    public static <V> Producer<V> of(ProducerSpec<V> spec) {
        return new Producer<>(spec);
    }

    /** Sends {@code value} without a key (partitions are spread by Kafka's sticky partitioner). */
    public final CompletableFuture<Delivery> produce(V value) {
        return produce(value, null, NO_HEADERS);
    }

    /** Sends {@code value} with {@code partitionKey} as the record key: one key, one partition. */
    public final CompletableFuture<Delivery> produce(V value, String partitionKey) {
        return produce(value, partitionKey, NO_HEADERS);
    }

    /** Sends {@code value} with a key (may be null) and headers whose values are written as UTF-8. */
    public final CompletableFuture<Delivery> produce(V value, String partitionKey, Map<String, String> headers) {
        RecordHeaders recordHeaders = new RecordHeaders();
        headers.forEach((name, text) -> recordHeaders.add(name, text == null ? null : text.getBytes(StandardCharsets.UTF_8)));
        return send(value, partitionKey, recordHeaders);
    }

    /** Sends {@code value} with a key (may be null) and Kafka headers. */
    public final CompletableFuture<Delivery> produce(V value, String partitionKey, Iterable<Header> headers) {
        return send(value, partitionKey, new RecordHeaders(headers));
    }

    /** Serializes and sends; {@code recordHeaders} is this record's own (the serializer may add to it). */
    private CompletableFuture<Delivery> send(V value, String partitionKey, RecordHeaders recordHeaders) {
        TopicSender topicSender = sender(); // boots first: the serializer is configured before its first use
        byte[] key = partitionKey == null ? null : partitionKey.getBytes(StandardCharsets.UTF_8);
        byte[] bytes = spec.serializer().serialize(spec.topic(), recordHeaders, value);
        return topicSender.send(new ProducerRecord<>(spec.topic(), null, key, bytes, recordHeaders));
    }

    /** Sends every buffered message of this producer's cluster now and waits until each is acknowledged or failed. */
    public final void flush() {
        sender().flush();
    }

    /** The topic this producer writes to. */
    public final String topic() {
        return spec.topic();
    }

    /** The cluster this producer writes to. */
    public final String cluster() {
        return spec.cluster();
    }

    private TopicSender sender() {
        TopicSender current = sender;
        if (current == null || !current.isOpen()) {
            current = boot();
        }
        return current;
    }

    /** Boots (again, after a shutdown): configures the serializer once per boot, then takes the topic's sender. */
    private synchronized TopicSender boot() {
        TopicSender current = sender;
        if (current == null || !current.isOpen()) {
            FluxRuntime runtime = FluxRuntime.current();
            Map<String, Object> serdeProperties = ClientProperties.serde(runtime.config().cluster(spec.cluster()),
                    runtime.config().serdeProperties());
            spec.serializer().configure(serdeProperties, false);
            current = runtime.producer(spec.cluster()).sender(spec.topic());
            sender = current;
        }
        return current;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[topic=" + spec.topic() + ", cluster=" + spec.cluster() + "]";
    }
}
