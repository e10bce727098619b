package io.superflux.internal.kafka;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

import io.superflux.ClusterSettings;
import io.superflux.ProducerSettings;
import io.superflux.retry.Stage;

/**
 * Builds kafka-clients settings from Flux configuration. Order, lowest first: the cluster's
 * connection ({@code bootstrap.servers}, {@code client.id}) and its {@code properties}, the
 * mapped Flux options, then the explicit kafka-clients properties of the client kind, which win.
 * Serializers are not set here: Flux's clients always move bytes.
 */
public final class ClientProperties {
    /** The longest a forward may block its stage's poll thread (metadata of a missing topic, a full buffer). */
    public static final int FORWARDER_MAX_BLOCK_MS = 1_000;
    /**
     * Flux producers' {@code batch.size} unless the application sets one: 256 KiB, not kafka-clients'
     * 16 KiB. It was the fastest point of a sweep of 16 KiB–1 MiB × linger 0–20 ms in
     * {@code scripts/bench} (twice the throughput of 16 KiB, at lower CPU per message). It adds no
     * latency (a batch still leaves after {@code linger.ms}), but each partition being written
     * holds a buffer that large from {@code buffer.memory} (32 MiB): a producer writing to more
     * than ~100 partitions at once should lower it or raise {@code buffer.memory}.
     */
    public static final int PRODUCER_BATCH_SIZE = 256 * 1024;
    /** A retry stage's {@code retry.backoff.ms}. */
    public static final int RETRY_STAGE_RETRY_BACKOFF_MS = 1_000;
    /** The dead-letter stage's fetch long-poll. */
    public static final int DEAD_LETTER_FETCH_MAX_WAIT_MS = 5_000;
    /** A transactional forwarder's max.block.ms: initTransactions and commitTransaction wait up to it. */
    public static final int TRANSACTIONAL_MAX_BLOCK_MS = 10_000;

    private ClientProperties() {
    }

    /** Settings for the shared producer of {@code cluster}. */
    public static Map<String, Object> producer(ClusterSettings cluster, ProducerSettings producer) {
        Map<String, Object> props = connection(cluster);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, cluster.clientId());
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, producer.compressionCodec().configValue());
        props.put(ProducerConfig.ACKS_CONFIG, producer.requiredAcks().configValue());
        props.put(ProducerConfig.LINGER_MS_CONFIG, (int) producer.deliveryInterval().toMillis());
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, PRODUCER_BATCH_SIZE);
        props.putAll(producer.properties());
        return props;
    }

    /**
     * Settings for a stage's consumer: the cluster's, {@code auto.offset.reset = earliest} unless
     * the application sets it (retry and dead-letter stages: always earliest, so no retry is ever
     * skipped), the application's consumer properties, then what Flux must control.
     * A retry stage long-polls briefly and backs off 1 s (fewer wake-ups while it rests); the
     * dead-letter stage long-polls 5 s (a fetch returns as soon as a record arrives, so this delays
     * nothing but the idle stage's fetches); the main stage keeps kafka-clients' 500 ms, because a
     * partition resumed after backpressure is fetched only once the fetch in flight for the others
     * returns.
     */
    public static Map<String, Object> consumer(ClusterSettings cluster, Map<String, String> consumerProperties,
                                               String groupId, Stage.Kind kind) {
        Map<String, Object> props = connection(cluster);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        if (kind == Stage.Kind.RETRY) {
            // A partition resumed at its due time is fetched after the fetch in flight returns:
            // a shorter long-poll keeps retries close to their due time. (An idle retry stage rests
            // between sweeps instead of long-polling: FetchRest.)
            props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
            // Resting, every partition is paused and no fetch is in flight; kafka-clients then wakes the
            // poll and heartbeat threads every retry.backoff.ms (100 ms): ten times fewer wake-ups, for
            // a retry of a failed request at most a second later on a stage that waits seconds anyway.
            props.put(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG, RETRY_STAGE_RETRY_BACKOFF_MS);
        } else if (kind == Stage.Kind.DEAD_LETTER) {
            props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, DEAD_LETTER_FETCH_MAX_WAIT_MS);
        }
        props.putAll(consumerProperties);
        if (kind != Stage.Kind.MAIN) {
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        }
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, cluster.clientId() + "-" + groupId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return props;
    }

    /**
     * Settings for the producer that forwards failed records. The application's producer
     * properties apply (size limits such as {@code max.request.size}, buffers, tuning), except
     * what makes a forward safe, which Flux sets whatever they say: idempotent with
     * {@code acks=all}, so a forward is never lost or doubled, and a short {@code max.block.ms},
     * because a forward is sent from a stage's poll thread, which must never wait long.
     */
    public static Map<String, Object> forwarder(ClusterSettings cluster, Map<String, String> producerProperties, String name) {
        Map<String, Object> props = connection(cluster);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // Forwarded records carry a kilobyte or two of failure headers (stack trace, history):
        // large batches keep requests few, and lz4 shrinks the repetitive text several times.
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.putAll(producerProperties);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, cluster.clientId() + "-" + name);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, FORWARDER_MAX_BLOCK_MS);
        return props;
    }

    /**
     * Settings for a stage's transactional forwarder ({@code flux.delivery = exactly-once}): the
     * forwarder's, with {@code transactional.id} and a {@code max.block.ms} long enough for a
     * transaction's commit ({@value #TRANSACTIONAL_MAX_BLOCK_MS} ms), which also bounds a send's wait.
     */
    public static Map<String, Object> transactionalForwarder(ClusterSettings cluster, Map<String, String> producerProperties,
                                                             String name, String transactionalId) {
        Map<String, Object> props = forwarder(cluster, producerProperties, name);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, TRANSACTIONAL_MAX_BLOCK_MS);
        return props;
    }

    /**
     * What a task's deserializer or a producer's serializer gets in {@code configure}: the
     * cluster's kafka-clients settings (bootstrap servers, security), then {@code flux.serde.properties}.
     */
    public static Map<String, Object> serde(ClusterSettings cluster, Map<String, String> serdeProperties) {
        Map<String, Object> props = connection(cluster);
        props.putAll(serdeProperties);
        return props;
    }

    /** Settings for an admin client of {@code cluster}, its requests bounded by {@code timeoutMillis}. */
    public static Map<String, Object> admin(ClusterSettings cluster, int timeoutMillis) {
        Map<String, Object> props = connection(cluster);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, cluster.clientId() + "-admin");
        props.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMillis, 30_000));
        props.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMillis);
        return props;
    }

    private static Map<String, Object> connection(ClusterSettings cluster) {
        Map<String, Object> props = new HashMap<>(cluster.properties());
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        return props;
    }
}
