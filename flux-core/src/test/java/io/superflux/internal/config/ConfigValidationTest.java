package io.superflux.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.superflux.Acks;
import io.superflux.CompressionCodec;
import io.superflux.FluxConfig;
import io.superflux.FluxConfigException;

class ConfigValidationTest {

    private static FluxConfigException rejected(String hocon) {
        return assertThrows(FluxConfigException.class, () -> ConfigFixture.load(hocon));
    }

    private static void assertMessage(FluxConfigException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "expected «" + part + "» in: " + e.getMessage());
        }
    }

    @Test
    void defaultsComeFromReferenceConf() {
        FluxConfig config = ConfigFixture.load("");
        assertEquals(List.of("localhost:9092"), config.kafka().brokers());
        assertEquals("flux", config.kafka().clientId());
        assertEquals(10_000, config.producer().maxBufferSize());
        assertEquals(CompressionCodec.NONE, config.producer().compressionCodec());
        assertEquals(Acks.ALL, config.producer().requiredAcks());
        assertEquals(Duration.ofMillis(5), config.producer().deliveryInterval());
        assertEquals(1.0, config.retryTimeScale());
        assertEquals(Duration.ofSeconds(30), config.shutdownTimeout());
        assertTrue(config.clusters().isEmpty());
    }

    @Test
    void unknownCodecNamesTheKeyTheValueAndTheAllowedValues() {
        FluxConfigException e = rejected("flux.producer.compression-codec = brotli");
        assertEquals("flux.producer.compression-codec", e.key());
        assertMessage(e, "flux.producer.compression-codec", "\"brotli\"", "none, gzip, snappy, lz4, zstd", "application.conf");
    }

    @Test
    void deliveryIsAtLeastOnceByDefaultAndAnUnknownGuaranteeNamesTheAllowedOnes() {
        assertEquals(io.superflux.DeliveryGuarantee.AT_LEAST_ONCE, ConfigFixture.load("").delivery());
        assertEquals(io.superflux.DeliveryGuarantee.EXACTLY_ONCE, ConfigFixture.load("flux.delivery = Exactly-Once").delivery());
        FluxConfigException e = rejected("flux.delivery = exactly-twice");
        assertEquals("flux.delivery", e.key());
        assertMessage(e, "flux.delivery", "\"exactly-twice\"", "at-least-once, exactly-once", "application.conf");
    }

    @Test
    void membershipIsDynamicByDefaultAndAnInstanceIdMustSuitKafka() {
        assertEquals(java.util.Optional.empty(), ConfigFixture.load("").membership().instanceId());
        assertTrue(ConfigFixture.load("").membership().leaveGroupOnShutdown());
        io.superflux.MembershipSettings membership = ConfigFixture.load("flux.consumer.instance-id = worker-3.eu").membership();
        assertEquals(java.util.Optional.of("worker-3.eu-orders-retry-1"), membership.groupInstanceId("orders-retry-1"));
        FluxConfigException e = rejected("flux.consumer.instance-id = \"host 1\"");
        assertEquals("flux.consumer.instance-id", e.key());
        assertMessage(e, "flux.consumer.instance-id", "\"host 1\"", "letters, digits, '.', '_' and '-'");
    }

    @Test
    void acksTwoIsRejected() {
        FluxConfigException e = rejected("flux.producer.required-acks = 2");
        assertEquals("flux.producer.required-acks", e.key());
        assertMessage(e, "flux.producer.required-acks = 2", "0, 1, all, -1");
    }

    @ParameterizedTest
    @CsvSource({"0, ALL", "1, LEADER", "all, ALL", "-1, ALL", "ALL, ALL"})
    void everyAllowedAcksValueIsRead(String value, Acks expected) {
        Acks acks = ConfigFixture.load("flux.producer.required-acks = \"" + value + "\"").producer().requiredAcks();
        assertEquals("0".equals(value) ? Acks.NONE : expected, acks);
    }

    @ParameterizedTest
    @CsvSource({"0", "-5", "many", "1.5"})
    void zeroNegativeOrNonNumericBufferIsRejected(String value) {
        FluxConfigException e = rejected("flux.producer.max-buffer-size = \"" + value + "\"");
        assertEquals("flux.producer.max-buffer-size", e.key());
        assertMessage(e, "flux.producer.max-buffer-size", value, "a whole number from 1 to");
    }

    @Test
    void emptyBrokersAreRejected() {
        assertMessage(rejected("flux.kafka.brokers = []"), "flux.kafka.brokers", "at least one host:port");
        assertMessage(rejected("flux.kafka.brokers = \" , \""), "flux.kafka.brokers", "at least one host:port");
    }

    @Test
    void brokerWithoutPortIsRejected() {
        FluxConfigException e = rejected("flux.kafka.brokers = [\"kafka-1:9092\", \"kafka-2\"]");
        assertMessage(e, "flux.kafka.brokers", "'kafka-2' is not one", "host:port");
    }

    @Test
    void brokersAreAListOrACommaSeparatedString() {
        assertEquals(List.of("a:1", "b:2"), ConfigFixture.load("flux.kafka.brokers = \"a:1, b:2\"").kafka().brokers());
        assertEquals(List.of("a:1", "[::1]:2"), ConfigFixture.load("flux.kafka.brokers = [\"a:1\", \"[::1]:2\"]").kafka().brokers());
        assertEquals("a:1,b:2", ConfigFixture.load("flux.kafka.brokers = [\"a:1\", \"b:2\"]").kafka().bootstrapServers());
    }

    @Test
    void durationThatDoesNotParseIsRejected() {
        FluxConfigException e = rejected("flux.producer.delivery-interval = \"5 parsecs\"");
        assertEquals("flux.producer.delivery-interval", e.key());
        assertMessage(e, "\"5 parsecs\"", "a duration such as 5ms");
        assertMessage(rejected("flux.shutdown-timeout = soon"), "flux.shutdown-timeout", "soon", "a duration");
        assertMessage(rejected("flux.shutdown-timeout = -1s"), "flux.shutdown-timeout", "from 0");
    }

    @Test
    void unknownKeyUnderProducerIsRejectedWithASuggestion() {
        FluxConfigException e = rejected("flux.producer.max-bufer-size = 3");
        assertEquals("flux.producer.max-bufer-size", e.key());
        assertMessage(e, "Unknown setting flux.producer.max-bufer-size = 3",
                "allowed keys under flux.producer are compression-codec, delivery-interval, max-buffer-size, properties, required-acks",
                "Did you mean flux.producer.max-buffer-size?");
    }

    @Test
    void unknownKeysAnywhereUnderFluxAreRejected() {
        assertMessage(rejected("flux.kafka.broker = \"a:1\""), "Unknown setting flux.kafka.broker", "flux.kafka.brokers?");
        assertMessage(rejected("flux.retries.time-scale = 1"), "Unknown setting flux.retries", "Did you mean flux.retry?");
        assertMessage(rejected("flux.clusters.analytics { brokers = \"a:1\", clientid = x }"),
                "Unknown setting flux.clusters.analytics.clientid", "brokers, client-id, properties");
        assertMessage(rejected("flux.producer.max-buffer-size { a = 1 }"), "flux.producer.max-buffer-size is a single setting");
        assertMessage(rejected("flux.producer = 5"), "flux.producer must be a block");
    }

    @Test
    void anyKafkaClientsSettingPassesThroughProperties() {
        FluxConfig config = ConfigFixture.load("""
                flux.kafka.properties { "security.protocol" = SASL_SSL, sasl.mechanism = PLAIN }
                flux.producer.properties { "batch.size" = 65536, "linger.ms" = 20 }
                flux.consumer.properties { "max.poll.records" = 1000 }
                """);
        assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN"), config.kafka().properties());
        assertEquals(Map.of("batch.size", "65536", "linger.ms", "20"), config.producer().properties());
        assertEquals(Map.of("max.poll.records", "1000"), config.consumerProperties());
    }

    @Test
    void secretsNeverAppearInMessagesOrToString() {
        FluxConfig config = ConfigFixture.load("flux.kafka.properties { \"sasl.jaas.config\" = \"password=hunter2\" }");
        assertFalse(config.toString().contains("hunter2"), config.toString());
        FluxConfigException e = rejected("flux.kafka.propertys { \"sasl.jaas.config\" = \"password=hunter2\" }");
        assertMessage(e, "Unknown setting flux.kafka.propertys", "(hidden)");
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void namedClustersInheritTheClientIdButNotTheProperties() {
        FluxConfig config = ConfigFixture.load("""
                flux.kafka { client-id = app, properties { "security.protocol" = SSL } }
                flux.clusters.analytics { brokers = "analytics-1:9092" }
                flux.clusters.eu { brokers = ["eu-1:9092"], client-id = app-eu, properties { "acks" = 1 } }
                """);
        assertEquals(List.of("analytics-1:9092"), config.cluster("analytics").brokers());
        assertEquals("app", config.cluster("analytics").clientId());
        assertEquals(Map.of(), config.cluster("analytics").properties());
        assertEquals("app-eu", config.cluster("eu").clientId());
        assertEquals(config.kafka(), config.cluster(FluxConfig.DEFAULT_CLUSTER));
        FluxConfigException e = assertThrows(FluxConfigException.class, () -> config.cluster("us"));
        assertMessage(e, "Unknown Kafka cluster 'us'", "analytics, default, eu");
    }

    @Test
    void clusterWithoutBrokersIsRejected() {
        assertMessage(rejected("flux.clusters.analytics { client-id = x }"), "flux.clusters.analytics.brokers is missing");
    }

    @Test
    void timeScaleMustBePositive() {
        assertMessage(rejected("flux.retry.time-scale = 0"), "flux.retry.time-scale = 0", "greater than 0");
        assertEquals(0.001, ConfigFixture.load("flux.retry.time-scale = 0.001").retryTimeScale());
    }

    @Test
    void malformedHoconNamesItsSource() {
        assertMessage(rejected("flux.producer { max-buffer-size = "), "application.conf", "cannot be read");
    }

    @Test
    void codeOverridesAreValidatedLikeEverythingElse() {
        FluxConfigException e = assertThrows(FluxConfigException.class, () -> ConfigFixture.load("", Map.of(),
                new Properties(), Map.of("flux.producer.compression-codec", "brotli")));
        assertMessage(e, "\"brotli\"", "SuperFlux.configure");
    }

    @Test
    void topicSettingsHaveSafeDefaults() {
        io.superflux.TopicSettings topics = ConfigFixture.load("").topics();
        assertTrue(topics.autoCreate());
        assertTrue(topics.replicationFactor().isEmpty(), "the broker's default");
        assertTrue(topics.minInsyncReplicas().isEmpty(), "the broker's default");
        assertEquals(2.0, topics.retentionSafetyFactor());
        assertEquals(Duration.ofDays(7), topics.minRetention());
        assertEquals(Duration.ofDays(28), topics.deadLetterRetention());
        assertFalse(topics.allowShortRetention());
        io.superflux.TopicSettings set = ConfigFixture.load("flux.topics { replication-factor = 3, min-insync-replicas = 2,"
                + " properties { \"compression.type\" = lz4 } }").topics();
        assertEquals(java.util.OptionalInt.of(3), set.replicationFactor());
        assertEquals(java.util.OptionalInt.of(2), set.minInsyncReplicas());
        assertEquals(Map.of("compression.type", "lz4"), set.properties());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "flux.topics.replication-factor = three | flux.topics.replication-factor | a whole number from 1 to 32767, or default",
            "flux.topics.replication-factor = 0 | flux.topics.replication-factor | a whole number from 1 to 32767, or default",
            "flux.topics { replication-factor = 2, min-insync-replicas = 3 } | flux.topics.min-insync-replicas | at most flux.topics.replication-factor (2)",
            "flux.topics.retention-safety-factor = 0.5 | flux.topics.retention-safety-factor | at least 1.0",
            "flux.topics.min-retention = forever | flux.topics.min-retention | a duration",
            "flux.topics.dead-letter-retention = 0s | flux.topics.dead-letter-retention | greater than 0",
            "flux.topics.allow-short-retention = maybe | flux.topics.allow-short-retention | true or false",
            "flux.topics.retention = 7d | flux.topics.retention | allowed keys under flux.topics are"})
    void badTopicSettingsNameTheKeyAndWhatIsAllowed(String hocon, String key, String allowed) {
        FluxConfigException e = rejected(hocon);
        assertEquals(key, e.key());
        assertMessage(e, key, allowed);
    }
}
