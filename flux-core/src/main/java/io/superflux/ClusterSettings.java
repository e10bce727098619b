package io.superflux;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to reach one Kafka cluster: the default one ({@code flux.kafka}) or a named one
 * ({@code flux.clusters.<name>}).
 *
 * <p>{@link #toString()} never shows property values: they may hold credentials.
 *
 * @param name       {@value FluxConfig#DEFAULT_CLUSTER} for {@code flux.kafka}, else the name under {@code flux.clusters}
 * @param brokers    {@code host:port} bootstrap servers, at least one
 * @param clientId   kafka-clients {@code client.id}
 * @param properties kafka-clients settings for every client of this cluster
 */
public record ClusterSettings(String name, List<String> brokers, String clientId, Map<String, String> properties) {
    /** Copies the collections so the settings cannot change later. */
    public ClusterSettings {
        Objects.requireNonNull(name, "name");
        brokers = List.copyOf(brokers);
        Objects.requireNonNull(clientId, "clientId");
        properties = Map.copyOf(properties);
    }

    /** The brokers joined as kafka-clients' {@code bootstrap.servers} wants them. */
    public String bootstrapServers() {
        return String.join(",", brokers);
    }

    @Override
    public String toString() {
        return "ClusterSettings[name=" + name + ", brokers=" + brokers + ", clientId=" + clientId
                + ", properties=" + properties.keySet() + " (values hidden)]";
    }
}
