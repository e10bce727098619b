package io.superflux.internal.kafka;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;

import io.superflux.ClusterSettings;
import io.superflux.ProducerSettings;

/**
 * Builds kafka-clients settings from Flux configuration. Order, lowest first: the cluster's
 * connection ({@code bootstrap.servers}, {@code client.id}) and its {@code properties}, the
 * mapped Flux options, then the explicit kafka-clients properties of the client kind, which win.
 * Serializers are not set here: Flux's clients always move bytes.
 */
public final class ClientProperties {
    private ClientProperties() {
    }

    /** Settings for the shared producer of {@code cluster}. */
    public static Map<String, Object> producer(ClusterSettings cluster, ProducerSettings producer) {
        Map<String, Object> props = connection(cluster);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, cluster.clientId());
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, producer.compressionCodec().configValue());
        props.put(ProducerConfig.ACKS_CONFIG, producer.requiredAcks().configValue());
        props.put(ProducerConfig.LINGER_MS_CONFIG, (int) producer.deliveryInterval().toMillis());
        props.putAll(producer.properties());
        return props;
    }

    private static Map<String, Object> connection(ClusterSettings cluster) {
        Map<String, Object> props = new HashMap<>(cluster.properties());
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        return props;
    }
}
