package io.superflux.faults;

import java.util.Map;

import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.KafkaCluster;

/** What a fault run needs of the cluster under it, whichever kind it is. */
interface Brokers {
    /** bootstrap.servers and the security settings a client needs. */
    Map<String, Object> clientProperties();

    /** Creates a topic and waits until its leaders serve it. */
    void createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs);

    /** A broker in this JVM: enough when only workers are hurt. */
    static Brokers of(EmbeddedKafka kafka) {
        return new Brokers() {
            @Override
            public Map<String, Object> clientProperties() {
                return Map.of("bootstrap.servers", kafka.bootstrapServers());
            }

            @Override
            public void createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {
                kafka.createTopic(name, partitions, configs);
            }
        };
    }

    /** Brokers as processes: when brokers are hurt. */
    static Brokers of(KafkaCluster kafka) {
        return new Brokers() {
            @Override
            public Map<String, Object> clientProperties() {
                return kafka.clientProperties();
            }

            @Override
            public void createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {
                kafka.createTopic(name, partitions, replicationFactor, configs);
            }
        };
    }
}
