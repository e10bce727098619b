package io.superflux;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

import com.typesafe.config.ConfigUtil;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Settings given in code, the highest-precedence configuration source; handed to the callback
 * of {@link SuperFlux#configure(Consumer)}:
 *
 * <pre>{@code
 * SuperFlux.configure(config -> config
 *         .brokers("kafka-1:9092", "kafka-2:9092")
 *         .clientId("billing")
 *         .compressionCodec(CompressionCodec.LZ4)
 *         .requiredAcks(Acks.ALL)
 *         .cluster("analytics", cluster -> cluster.brokers("analytics-1:9092")));
 * }</pre>
 *
 * Each method sets one key of {@code reference.conf}; values are validated with everything else
 * when {@code configure} returns. {@link #set(String, Object)} sets any key by its path.
 */
public final class Configurer {
    private final Map<String, Object> overrides = new LinkedHashMap<>();
    private ClassLoader classLoader;
    private Path configFile;
    private MeterRegistry meterRegistry;

    Configurer() {
    }

    /** {@code flux.kafka.brokers}: bootstrap servers of the default cluster, each {@code host:port}. */
    public Configurer brokers(String... brokers) {
        return set("flux.kafka.brokers", List.of(brokers));
    }

    /** {@code flux.kafka.client-id}. */
    public Configurer clientId(String clientId) {
        return set("flux.kafka.client-id", clientId);
    }

    /** {@code flux.kafka.properties}: a kafka-clients setting for every client of the default cluster. */
    public Configurer kafkaProperty(String name, Object value) {
        return set("flux.kafka.properties." + ConfigUtil.quoteString(name), value);
    }

    /** {@code flux.clusters.<name>}: another cluster, for producers and tasks that name it. */
    public Configurer cluster(String name, Consumer<ClusterConfigurer> cluster) {
        cluster.accept(new ClusterConfigurer("flux.clusters." + ConfigUtil.quoteString(name)));
        return this;
    }

    /** {@code flux.producer.max-buffer-size}: unacknowledged messages after which produce waits. */
    public Configurer maxBufferSize(int messages) {
        return set("flux.producer.max-buffer-size", messages);
    }

    /** {@code flux.producer.compression-codec}. */
    public Configurer compressionCodec(CompressionCodec codec) {
        return set("flux.producer.compression-codec", codec.configValue());
    }

    /** {@code flux.producer.required-acks}. */
    public Configurer requiredAcks(Acks acks) {
        return set("flux.producer.required-acks", acks.configValue());
    }

    /** {@code flux.producer.delivery-interval}: longest wait before a batch is sent. */
    public Configurer deliveryInterval(Duration interval) {
        return set("flux.producer.delivery-interval", interval.toNanos() + "ns");
    }

    /** {@code flux.producer.properties}: a kafka-clients producer setting. */
    public Configurer producerProperty(String name, Object value) {
        return set("flux.producer.properties." + ConfigUtil.quoteString(name), value);
    }

    /** {@code flux.consumer.properties}: a kafka-clients consumer setting. */
    public Configurer consumerProperty(String name, Object value) {
        return set("flux.consumer.properties." + ConfigUtil.quoteString(name), value);
    }

    /** {@code flux.serde.properties}: a setting for serializers' and deserializers' {@code configure} (e.g. {@code schema.registry.url}). */
    public Configurer serdeProperty(String name, Object value) {
        return set("flux.serde.properties." + ConfigUtil.quoteString(name), value);
    }

    /** {@code flux.retry.time-scale}: factor applied to every retry wait (0.001 for tests). */
    public Configurer retryTimeScale(double scale) {
        return set("flux.retry.time-scale", scale);
    }

    /** {@code flux.shutdown-timeout}. */
    public Configurer shutdownTimeout(Duration timeout) {
        return set("flux.shutdown-timeout", timeout.toNanos() + "ns");
    }

    /** Sets any key by its full path, e.g. {@code set("flux.producer.max-buffer-size", 500)}. */
    public Configurer set(String path, Object value) {
        overrides.put(Objects.requireNonNull(path, "path"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /** A HOCON file that overrides application.conf (and is overridden by system properties, environment and code). */
    public Configurer configFile(Path file) {
        this.configFile = file;
        return this;
    }

    /** The class loader whose {@code reference.conf} and {@code application.conf} are read (default: the thread's context class loader). */
    public Configurer classLoader(ClassLoader loader) {
        this.classLoader = loader;
        return this;
    }

    /** Where Flux's meters go (default: Micrometer's global registry). */
    public Configurer meterRegistry(MeterRegistry registry) {
        this.meterRegistry = registry;
        return this;
    }

    Map<String, Object> overrides() {
        return overrides;
    }

    ClassLoader classLoader() {
        return classLoader;
    }

    Path configFile() {
        return configFile;
    }

    MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /** Settings of one named cluster, inside {@link Configurer#cluster(String, Consumer)}. */
    public final class ClusterConfigurer {
        private final String path;

        private ClusterConfigurer(String path) {
            this.path = path;
        }

        /** Bootstrap servers of this cluster, each {@code host:port}. */
        public ClusterConfigurer brokers(String... brokers) {
            set(path + ".brokers", List.of(brokers));
            return this;
        }

        /** client.id of this cluster's clients (default: {@code flux.kafka.client-id}). */
        public ClusterConfigurer clientId(String clientId) {
            set(path + ".client-id", clientId);
            return this;
        }

        /** A kafka-clients setting for every client of this cluster. */
        public ClusterConfigurer property(String name, Object value) {
            set(path + ".properties." + ConfigUtil.quoteString(name), value);
            return this;
        }
    }
}
