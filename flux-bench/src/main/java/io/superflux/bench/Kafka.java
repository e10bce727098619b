package io.superflux.bench;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/** The kafka-clients settings the sides of a comparison use, so they differ only in the code around them. */
final class Kafka {
    private Kafka() {
    }

    /** kafka-clients' own defaults (acks=all, idempotent, 16 KiB batches, linger.ms 5): only the address. */
    static Map<String, Object> defaultProducer(String bootstrap) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return props;
    }

    /** A safe producer (acks=all, idempotent, no compression) with the given batching. */
    static Map<String, Object> producer(String bootstrap, ProducerTuning tuning) {
        Map<String, Object> props = defaultProducer(bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        return tuning.applyTo(props);
    }

    /** A consumer as Flux's main stage has it: earliest, no auto-commit. */
    static Map<String, Object> consumer(String bootstrap, String group) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return props;
    }
}
