package io.superflux;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Flux's loaded, validated configuration (the {@code flux { … }} block). Immutable.
 *
 * <p>Obtain it with {@link SuperFlux#config()}; change it with {@link SuperFlux#configure}. The
 * keys, defaults and sources are documented in flux-core's {@code reference.conf} and the README.
 *
 * @param kafka              the default cluster ({@code flux.kafka})
 * @param clusters           the named clusters ({@code flux.clusters}), by name
 * @param producer           producer options ({@code flux.producer})
 * @param consumerProperties kafka-clients settings for consumers ({@code flux.consumer.properties})
 * @param commitInterval     how often stages commit asynchronously ({@code flux.consumer.commit-interval})
 * @param membership         static or dynamic group membership ({@code flux.consumer.instance-id}, …)
 * @param topics             how retry and dead-letter topics are provisioned ({@code flux.topics})
 * @param retryTimeScale     factor applied to every retry wait ({@code flux.retry.time-scale})
 * @param shutdownTimeout    how long a shutdown waits for in-flight work ({@code flux.shutdown-timeout})
 * @param startupTimeout     how long a worker waits for the cluster at start ({@code flux.startup-timeout})
 * @param http               the HTTP endpoint ({@code flux.http})
 * @param healthCallTimeout  how long a call or a poll loop may take before /health/live says so
 *                           ({@code flux.health.call-timeout}); empty: the consumers' max.poll.interval.ms
 * @param delivery           what stages promise about their forwards ({@code flux.delivery})
 * @param batch              overrides of batch tasks' limits ({@code flux.batch})
 * @param serdeProperties    what tasks' deserializers and producers' serializers get in {@code configure},
 *                           after the cluster's kafka-clients settings ({@code flux.serde.properties})
 */
public record FluxConfig(ClusterSettings kafka, Map<String, ClusterSettings> clusters, ProducerSettings producer,
                         Map<String, String> consumerProperties, Duration commitInterval, MembershipSettings membership,
                         TopicSettings topics,
                         double retryTimeScale, Duration shutdownTimeout, Duration startupTimeout, HttpSettings http,
                         java.util.Optional<Duration> healthCallTimeout, Map<String, String> serdeProperties,
                         DeliveryGuarantee delivery, BatchSettings batch) {
    /** The name of the cluster configured under {@code flux.kafka}. */
    public static final String DEFAULT_CLUSTER = "default";

    /** Copies the maps so the configuration cannot change later. */
    public FluxConfig {
        Objects.requireNonNull(kafka, "kafka");
        clusters = Map.copyOf(clusters);
        Objects.requireNonNull(producer, "producer");
        consumerProperties = Map.copyOf(consumerProperties);
        Objects.requireNonNull(commitInterval, "commitInterval");
        Objects.requireNonNull(membership, "membership");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(healthCallTimeout, "healthCallTimeout");
        serdeProperties = Map.copyOf(serdeProperties);
        Objects.requireNonNull(delivery, "delivery");
        Objects.requireNonNull(batch, "batch");
    }

    /** Whether missing retry and dead-letter topics are created at start ({@code flux.topics.auto-create}). */
    public boolean autoCreateTopics() {
        return topics.autoCreate();
    }

    /**
     * The cluster called {@code name}: {@value #DEFAULT_CLUSTER} is {@code flux.kafka}, any other
     * name one under {@code flux.clusters}.
     *
     * @throws FluxConfigException if no cluster has that name
     */
    public ClusterSettings cluster(String name) {
        if (DEFAULT_CLUSTER.equals(name)) {
            return kafka;
        }
        ClusterSettings cluster = clusters.get(name);
        if (cluster == null) {
            TreeSet<String> known = new TreeSet<>(clusters.keySet());
            known.add(DEFAULT_CLUSTER);
            throw new FluxConfigException("flux.clusters." + name,
                    "Unknown Kafka cluster '" + name + "': configured clusters are " + String.join(", ", known)
                            + " (add it under flux.clusters." + name + " { brokers = [...] })");
        }
        return cluster;
    }
}
