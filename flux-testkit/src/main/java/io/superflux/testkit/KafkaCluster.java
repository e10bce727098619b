package io.superflux.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka cluster of 1 to N KRaft nodes (combined broker and controller), each a process of
 * its own ({@link KafkaNodeMain}), so that a test can do to a broker what happens in production:
 * {@link #kill} it (SIGKILL), {@link #stop} it (SIGTERM) and {@link #start} it again on the same
 * data and ports. Clients reach it on a listener that is plain, SASL/SCRAM or TLS, optionally
 * with an authorizer ({@link Builder#acls}).
 *
 * <pre>{@code
 * try (KafkaCluster kafka = KafkaCluster.builder().nodes(3).start()) {
 *     kafka.createTopic("orders", 6, 3, Map.of("min.insync.replicas", "2"));
 *     int leader = kafka.leader("orders", 0);
 *     kafka.kill(leader);     // the controller moves leadership after the broker session times out
 *     kafka.start(leader);    // back on the same data
 * }
 * }</pre>
 *
 * Defaults suited to tests: automatic topic creation off, no initial rebalance delay, broker
 * session timeout 6 s (how soon a killed broker is fenced and its leaderships move). Each node
 * runs with {@code -Xmx384m}; its log is {@link #logFile}. Thread-safe.
 */
public final class KafkaCluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaCluster.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    /** How clients reach the cluster. */
    public enum Security {
        /** PLAINTEXT. */
        NONE,
        /** SASL_PLAINTEXT with SCRAM-SHA-256; the super user is {@code admin}. */
        SASL_SCRAM,
        /** TLS; clients trust {@link TestCertificates#trustStore()}. */
        TLS
    }

    /** The super user of a SASL cluster. */
    public static final String ADMIN_USER = "admin";
    /** Its password. */
    public static final String ADMIN_PASSWORD = "admin-secret";

    private final Path directory;
    private final String clusterId;
    private final Security security;
    private final TestCertificates certificates;
    private final Map<Integer, KafkaNodeProcess> nodes;
    private final Map<String, String> users;
    private final Admin admin;
    private final ClusterClient client;

    private KafkaCluster(Path directory, String clusterId, Security security, TestCertificates certificates,
                         Map<Integer, KafkaNodeProcess> nodes, Map<String, String> users) {
        this.directory = directory;
        this.clusterId = clusterId;
        this.security = security;
        this.certificates = certificates;
        this.nodes = nodes;
        this.users = users;
        this.admin = Admin.create(adminProperties());
        this.client = new ClusterClient(clientProperties(), admin);
    }

    /** A builder for a cluster of one plain node unless told otherwise. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code bootstrap.servers} of the client listener of every node. */
    public String bootstrapServers() {
        return nodes.values().stream().map(node -> "localhost:" + node.clientPort).collect(Collectors.joining(","));
    }

    /** Everything a client needs to connect as the super user: bootstrap servers and security settings. */
    public Map<String, Object> clientProperties() {
        return clientProperties(ADMIN_USER, ADMIN_PASSWORD);
    }

    /** What a client needs to connect as {@code user} (SASL; the other kinds ignore the credentials). */
    public Map<String, Object> clientProperties(String user, String password) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("bootstrap.servers", bootstrapServers());
        switch (security) {
            case SASL_SCRAM -> {
                props.put("security.protocol", "SASL_PLAINTEXT");
                props.put("sasl.mechanism", "SCRAM-SHA-256");
                props.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"" + user + "\" password=\"" + password + "\";");
            }
            case TLS -> {
                props.put("security.protocol", "SSL");
                props.put("ssl.truststore.location", certificates.trustStore().toString());
                props.put("ssl.truststore.password", certificates.password());
                props.put("ssl.truststore.type", "PKCS12");
            }
            case NONE -> { }
        }
        return props;
    }

    /** The TLS material of a {@link Security#TLS} cluster, else null. */
    public TestCertificates certificates() {
        return certificates;
    }

    /** A shared admin client (the super user); closed with the cluster. */
    public Admin admin() {
        return admin;
    }

    /** The node ids, ascending. */
    public Set<Integer> nodeIds() {
        return nodes.keySet();
    }

    /** The log of node {@code id}'s process (its stdout and stderr). */
    public Path logFile(int id) {
        return node(id).logFile;
    }

    /** Whether node {@code id}'s process runs. */
    public boolean isRunning(int id) {
        return node(id).isRunning();
    }

    /** SIGKILL: the node dies at once, as under the OOM killer or a power cut of its host. */
    public void kill(int id) {
        end(id, Process::destroyForcibly, Duration.ofSeconds(30), "killed");
    }

    /** SIGTERM: the node shuts down in order (leaderships move first), and waits until it has. */
    public void stop(int id) {
        end(id, Process::destroy, Duration.ofSeconds(60), "stopped");
    }

    private void end(int id, java.util.function.Consumer<Process> signal, Duration timeout, String done) {
        if (node(id).end(signal, timeout)) {
            log.info("{} Kafka node {}", done, id);
        }
    }

    /** Starts node {@code id} again on its data and ports; returns when it serves. */
    public void start(int id) {
        KafkaNodeProcess node = node(id);
        synchronized (node) {
            if (node.isRunning()) {
                return;
            }
            launch(node);
        }
        awaitReady(List.of(node));
    }

    /** The id of the current leader of {@code topic}'s {@code partition}, or -1 if it has none. */
    public int leader(String topic, int partition) {
        TopicPartitionInfo info = client.describe(topic).partitions().get(partition);
        return info.leader() == null || info.leader().isEmpty() ? -1 : info.leader().id();
    }

    /** The ids of the in-sync replicas of {@code topic}'s {@code partition}. */
    public List<Integer> inSyncReplicas(String topic, int partition) {
        return client.describe(topic).partitions().get(partition).isr().stream().map(org.apache.kafka.common.Node::id).toList();
    }

    /** Creates a topic with {@code replicationFactor} replicas and waits until its leaders serve it. */
    public void createTopic(String name, int partitions, int replicationFactor, Map<String, String> topicConfig) {
        client.createTopic(name, partitions, Optional.of((short) replicationFactor), topicConfig);
    }

    /** Waits until every partition of the given topics has a leader that answers for it. */
    public void awaitLeaders(Collection<String> topics, Duration timeout) {
        client.awaitLeaders(topics, timeout);
    }

    /** Reads a topic from the beginning (see {@link EmbeddedKafka#readAll}). */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected, Duration timeout) {
        return client.readAll(topic, expected, timeout);
    }

    /** A new byte-array consumer as the super user (no group unless {@code overrides} give one). */
    public KafkaConsumer<byte[], byte[]> newConsumer(Map<String, Object> overrides) {
        return client.newConsumer(overrides);
    }

    /** Kills every node and deletes the cluster's data. */
    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
        nodes.values().forEach(node -> node.end(Process::destroyForcibly, Duration.ofSeconds(30)));
        KafkaNodeProcess.deleteRecursively(directory);
    }

    private KafkaNodeProcess node(int id) {
        KafkaNodeProcess node = nodes.get(id);
        if (node == null) {
            throw new IllegalArgumentException("no node " + id + " in this cluster; nodes are " + nodes.keySet());
        }
        return node;
    }

    private void launch(KafkaNodeProcess node) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dlogback.configurationFile="
                + directory.resolve("logback.xml"), "-cp", System.getProperty("java.class.path"),
                KafkaNodeMain.class.getName(), node.properties.toString(), clusterId));
        if (security == Security.SASL_SCRAM) {
            command.add("SCRAM-SHA-256=[name=" + ADMIN_USER + ",password=" + ADMIN_PASSWORD + "]");
            users.forEach((user, password) -> command.add("SCRAM-SHA-256=[name=" + user + ",password=" + password + "]"));
        }
        node.launch(command);
    }

    private void awaitReady(Collection<KafkaNodeProcess> starting) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        for (KafkaNodeProcess node : starting) {
            node.awaitStarted(deadline, START_TIMEOUT);
        }
        // Registered and unfenced: the cluster lists it.
        Set<Integer> ids = starting.stream().map(node -> node.id).collect(Collectors.toSet());
        while (true) {
            try {
                Set<Integer> live = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream()
                        .map(org.apache.kafka.common.Node::id).collect(Collectors.toSet());
                if (live.containsAll(ids)) {
                    return;
                }
            } catch (Exception e) {
                log.debug("cluster not described yet: {}", e.toString());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Kafka nodes " + ids + " did not join the cluster within " + START_TIMEOUT);
            }
            ClusterClient.sleep(100);
        }
    }

    private Map<String, Object> adminProperties() {
        Map<String, Object> props = new HashMap<>(clientProperties());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return props;
    }

    /** Settings for a {@link KafkaCluster} before it starts. */
    public static final class Builder {
        private int nodes = 1;
        private Security security = Security.NONE;
        private boolean acls;
        private final Map<String, String> users = new TreeMap<>();
        private final Map<String, Object> brokerProperties = new TreeMap<>();

        private Builder() {
            brokerProperties.put("auto.create.topics.enable", false);
            brokerProperties.put("group.initial.rebalance.delay.ms", 0);
            brokerProperties.put("offsets.topic.num.partitions", 5);
            brokerProperties.put("num.partitions", 1);
            brokerProperties.put("broker.session.timeout.ms", 6_000);
            brokerProperties.put("broker.heartbeat.interval.ms", 1_000);
        }

        /** How many nodes (each a broker and a controller; default 1). */
        public Builder nodes(int nodes) {
            if (nodes < 1) {
                throw new IllegalArgumentException("nodes must be 1 or more, not " + nodes);
            }
            this.nodes = nodes;
            return this;
        }

        /** How clients reach the cluster (default plain). */
        public Builder security(Security security) {
            this.security = Objects.requireNonNull(security, "security");
            return this;
        }

        /** A SCRAM user (with {@link Security#SASL_SCRAM}). */
        public Builder user(String name, String password) {
            users.put(name, password);
            return this;
        }

        /** Turns on the authorizer: only the super user {@code admin} may do anything without ACLs. */
        public Builder acls() {
            this.acls = true;
            return this;
        }

        /** Sets a broker setting on every node. */
        public Builder brokerProperty(String name, Object value) {
            brokerProperties.put(Objects.requireNonNull(name, "name"), value);
            return this;
        }

        /** Formats and starts every node; returns when all of them serve. */
        public KafkaCluster start() {
            long started = System.nanoTime();
            Path directory;
            try {
                directory = Files.createTempDirectory("kafka-cluster-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            TestCertificates certificates = security == Security.TLS ? TestCertificates.create(directory.resolve("tls")) : null;
            Map<Integer, KafkaNodeProcess> all = new TreeMap<>();
            for (int id = 1; id <= nodes; id++) {
                all.put(id, new KafkaNodeProcess(id, KafkaNodeProcess.freePort(), KafkaNodeProcess.freePort(), KafkaNodeProcess.freePort(), directory.resolve("node-" + id + ".properties"),
                        directory.resolve("node-" + id + ".log")));
            }
            String voters = all.values().stream().map(node -> node.id + "@localhost:" + node.controllerPort)
                    .collect(Collectors.joining(","));
            try {
                Files.writeString(directory.resolve("logback.xml"), KafkaNodeProcess.LOGBACK);
                for (KafkaNodeProcess node : all.values()) {
                    Files.writeString(node.properties, properties(node, voters, directory, certificates));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            KafkaCluster cluster = new KafkaCluster(directory, Uuid.randomUuid().toString(), security, certificates, all,
                    Map.copyOf(users));
            try {
                all.values().forEach(cluster::launch);
                cluster.awaitReady(all.values());
            } catch (RuntimeException e) {
                cluster.close();
                throw e;
            }
            log.info("Kafka cluster of {} node(s) started at {} in {} ms", nodes, cluster.bootstrapServers(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            return cluster;
        }

        private String properties(KafkaNodeProcess node, String voters, Path directory, TestCertificates certificates) {
            Map<String, Object> props = new LinkedHashMap<>();
            props.put("process.roles", "broker,controller");
            props.put("node.id", node.id);
            props.put("controller.quorum.voters", voters);
            props.put("controller.listener.names", "CONTROLLER");
            String client = switch (security) {
                case NONE -> "PLAINTEXT";
                case SASL_SCRAM -> "SASL_PLAINTEXT";
                case TLS -> "SSL";
            };
            props.put("listeners", client + "://localhost:" + node.clientPort + ",INTERNAL://localhost:" + node.internalPort
                    + ",CONTROLLER://localhost:" + node.controllerPort);
            props.put("advertised.listeners", client + "://localhost:" + node.clientPort + ",INTERNAL://localhost:"
                    + node.internalPort);
            props.put("listener.security.protocol.map", client + ":" + client + ",INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT");
            props.put("inter.broker.listener.name", "INTERNAL");
            props.put("log.dirs", directory.resolve("node-" + node.id + "-data").toString());
            int replicas = Math.min(3, nodes);
            props.put("offsets.topic.replication.factor", replicas);
            props.put("transaction.state.log.replication.factor", replicas);
            props.put("transaction.state.log.min.isr", Math.min(2, replicas));
            if (security == Security.SASL_SCRAM) {
                props.put("sasl.enabled.mechanisms", "SCRAM-SHA-256");
                props.put("listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            }
            if (security == Security.TLS) {
                props.put("ssl.keystore.location", certificates.brokerKeyStore().toString());
                props.put("ssl.keystore.password", certificates.password());
                props.put("ssl.key.password", certificates.password());
                props.put("ssl.keystore.type", "PKCS12");
            }
            if (acls) {
                props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
                // The internal and controller listeners are plain and local: their principal is ANONYMOUS.
                props.put("super.users", "User:" + ADMIN_USER + ";User:ANONYMOUS");
                props.put("allow.everyone.if.no.acl.found", false);
            }
            props.putAll(brokerProperties);
            return props.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n")) + "\n";
        }
    }
}
