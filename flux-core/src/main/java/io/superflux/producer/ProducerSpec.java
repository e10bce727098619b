package io.superflux.producer;

import java.util.Objects;
import java.util.regex.Pattern;

import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.superflux.FluxConfig;

/**
 * What a {@link Producer} writes: its topic, the value serializer and the cluster. Immutable;
 * each method returns a new spec.
 *
 * <pre>{@code
 * ProducerSpec.topic("awesome")                                  // String values, default cluster
 * ProducerSpec.topic("images").bytes()                           // byte[] values
 * ProducerSpec.topic("orders").json(Order.class)                // JSON (Jackson)
 * ProducerSpec.topic("orders").serializer(new OrderSerializer()) // any Kafka Serializer
 * ProducerSpec.topic("clicks").cluster("analytics")              // a cluster under flux.clusters
 * }</pre>
 *
 * @param <V> the value type
 */
public final class ProducerSpec<V> {
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    private final String topic;
    private final Serializer<V> serializer;
    private final String cluster;

    private ProducerSpec(String topic, Serializer<V> serializer, String cluster) {
        this.topic = topic;
        this.serializer = serializer;
        this.cluster = cluster;
    }

    /**
     * A spec for String values (UTF-8) on the default cluster.
     *
     * @throws IllegalArgumentException if {@code topic} is not a legal Kafka topic name
     */
    public static ProducerSpec<String> topic(String topic) {
        Objects.requireNonNull(topic, "topic");
        if (!TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw new IllegalArgumentException("Invalid topic name '" + topic + "': use 1 to 249 characters from"
                    + " a-z, A-Z, 0-9, '.', '_' and '-' (not '.' or '..')");
        }
        return new ProducerSpec<>(topic, new StringSerializer(), FluxConfig.DEFAULT_CLUSTER);
    }

    /**
     * The same spec with values serialized by {@code serializer}. Flux calls its {@code configure}
     * once, when the producer boots, with the cluster's kafka-clients properties and
     * {@code flux.serde.properties}.
     */
    public <T> ProducerSpec<T> serializer(Serializer<T> serializer) {
        return new ProducerSpec<>(topic, Objects.requireNonNull(serializer, "serializer"), cluster);
    }

    /** The same spec with byte[] values, sent as they are. */
    public ProducerSpec<byte[]> bytes() {
        return serializer(new ByteArraySerializer());
    }

    /** The same spec writing values as JSON with Jackson ({@link io.superflux.serde.JsonSerializer}). */
    public <T> ProducerSpec<T> json(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return serializer(new io.superflux.serde.JsonSerializer<T>());
    }

    /** The same spec writing values as JSON with the application's own {@code mapper} (configured once, shared). */
    public <T> ProducerSpec<T> json(Class<T> type, com.fasterxml.jackson.databind.ObjectMapper mapper) {
        Objects.requireNonNull(type, "type");
        return serializer(new io.superflux.serde.JsonSerializer<T>(mapper));
    }

    /** The same spec writing to the cluster called {@code name} ({@code flux.clusters.<name>}). */
    public ProducerSpec<V> cluster(String name) {
        return new ProducerSpec<>(topic, serializer, Objects.requireNonNull(name, "cluster"));
    }

    /** The topic. */
    public String topic() {
        return topic;
    }

    /** The value serializer. */
    public Serializer<V> serializer() {
        return serializer;
    }

    /** The cluster's name; {@value FluxConfig#DEFAULT_CLUSTER} for {@code flux.kafka}. */
    public String cluster() {
        return cluster;
    }

    @Override
    public String toString() {
        return "ProducerSpec[topic=" + topic + ", cluster=" + cluster + ", serializer="
                + serializer.getClass().getSimpleName() + "]";
    }
}
