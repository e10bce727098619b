package io.superflux.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka cluster (one combined KRaft broker and controller) running inside the
 * current JVM, built from Kafka's own {@code KafkaClusterTestKit}. It listens on a free loopback
 * port, keeps its data in a temporary directory and deletes it on {@link #close()}.
 *
 * <p>Use it directly:
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
 *     kafka.createTopic("awesome", 3);
 *     String servers = kafka.bootstrapServers();
 *     ...
 * }
 * }</pre>
 * or through {@link EmbeddedKafkaExtension}, which starts one broker per test class.
 *
 * <p>Defaults suited to tests: automatic topic creation is off (so a test sees exactly the topics
 * it or the code under test created), internal topics have one replica, and consumer groups
 * rebalance without the initial delay. Any broker setting can be changed with
 * {@link Builder#brokerProperty(String, Object)}.
 *
 * <p>Thread-safe: the admin client it hands out is shared and may be used from any thread.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final KafkaClusterTestKit cluster;
    private final Admin admin;
    private final ClusterClient client;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
        this.admin = cluster.admin();
        this.client = new ClusterClient(Map.of("bootstrap.servers", cluster.bootstrapServers()), admin);
    }

    /** Starts a broker with the default settings; returns once it accepts clients. */
    public static EmbeddedKafka start() {
        return builder().start();
    }

    /** A builder for a broker with changed settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** The {@code bootstrap.servers} value for clients of this broker, e.g. {@code localhost:41234}. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** A shared admin client for this broker; closed with the broker, do not close it yourself. */
    public Admin admin() {
        return admin;
    }

    /**
     * Creates a topic and waits until every partition has a leader that serves it, so a producer
     * can write to it at once (producing to a partition whose leader is not yet acting can make an
     * idempotent producer fail every retry).
     */
    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    /** Creates a topic with topic-level settings (e.g. {@code compression.type}) and waits for its leaders. */
    public void createTopic(String name, int partitions, Map<String, String> topicConfig) {
        client.createTopic(name, partitions, Optional.of((short) 1), topicConfig);
    }

    /** Creates a topic named {@code prefix-<random>} and returns its name. */
    public String createUniqueTopic(String prefix, int partitions) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        createTopic(name, partitions);
        return name;
    }

    /** Waits until every partition of the given topics has a leader that answers for it. */
    public void awaitLeaders(Collection<String> topics, Duration timeout) {
        client.awaitLeaders(topics, timeout);
    }

    /** The number of partitions of a topic. */
    public int partitionCount(String topic) {
        return client.partitionCount(topic);
    }

    /**
     * Reads a topic from the beginning with a plain {@link KafkaConsumer} (no group, no commits)
     * until {@code expected} records were read or {@code timeout} passed, and returns what was
     * read (nothing if the topic does not exist by then); a test asserts on the returned list, so fewer records than expected is visible there.
     * After the expected count is reached it keeps reading for a short quiet period, so that
     * unexpected extra records (duplicates) are returned too.
     */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected, Duration timeout) {
        return client.readAll(topic, expected, timeout);
    }

    /**
     * A new byte-array consumer for this broker with no group (use {@code assign}), or with the
     * settings given (e.g. {@code group.id}). The caller closes it.
     */
    public KafkaConsumer<byte[], byte[]> newConsumer(Map<String, Object> overrides) {
        return client.newConsumer(overrides);
    }

    /** The log directories of the broker, where each partition's segment files are. */
    public List<Path> logDirectories() {
        return cluster.nodes().brokerNodes().values().stream()
                .flatMap(node -> node.logDataDirectories().stream())
                .map(Path::of)
                .collect(Collectors.toList());
    }

    /**
     * Every record batch of {@code topic} as stored in the broker's segment files, read from the
     * files themselves: what really reached the disk (compression, batch sizes).
     */
    public List<StoredBatch> storedBatches(String topic) {
        List<StoredBatch> batches = new ArrayList<>();
        for (Path directory : logDirectories()) {
            batches.addAll(StoredBatch.read(directory, topic));
        }
        return batches;
    }

    /** Stops the broker and deletes its data. */
    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the embedded Kafka broker", e);
        }
    }

    /** Settings for an {@link EmbeddedKafka} before it starts. */
    public static final class Builder {
        private final Map<String, Object> brokerProperties = new HashMap<>();

        private Builder() {
            brokerProperties.put("auto.create.topics.enable", false);
            brokerProperties.put("group.initial.rebalance.delay.ms", 0);
            brokerProperties.put("offsets.topic.replication.factor", (short) 1);
            brokerProperties.put("offsets.topic.num.partitions", 5);
            brokerProperties.put("transaction.state.log.replication.factor", (short) 1);
            brokerProperties.put("transaction.state.log.min.isr", 1);
            brokerProperties.put("num.partitions", 1);
        }

        /** Sets a broker setting, e.g. {@code ("auto.create.topics.enable", true)}. */
        public Builder brokerProperty(String name, Object value) {
            brokerProperties.put(Objects.requireNonNull(name, "name"), value);
            return this;
        }

        /** Formats the storage, starts the broker and waits until it accepts clients. */
        public EmbeddedKafka start() {
            long started = System.nanoTime();
            KafkaClusterTestKit cluster = null;
            try {
                TestKitNodes nodes = new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .build();
                KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
                brokerProperties.forEach(builder::setConfigProp);
                cluster = builder.build();
                cluster.format();
                cluster.startup();
                cluster.waitForReadyBrokers();
                EmbeddedKafka kafka = new EmbeddedKafka(cluster);
                log.info("embedded Kafka started at {} in {} ms", kafka.bootstrapServers(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                return kafka;
            } catch (Exception e) {
                if (cluster != null) {
                    try {
                        cluster.close();
                    } catch (Exception closing) {
                        e.addSuppressed(closing);
                    }
                }
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("could not start the embedded Kafka broker", e);
            }
        }
    }
}
