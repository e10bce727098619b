package io.superflux.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import io.superflux.FluxConfig;
import io.superflux.FluxConfigException;

/**
 * reference.conf &lt; application.conf &lt; -Dflux.… &lt; FLUX_… environment &lt; code. Each key
 * below is set by a different set of sources, so every step of the order is seen.
 */
class ConfigPrecedenceTest {
    private static final ClassLoader APPLICATION = ConfigFixture.classLoaderOf("precedence");

    private static FluxConfig load(Map<String, String> env, Properties system, Map<String, Object> code) {
        return ConfigLoader.load(new ConfigSources(APPLICATION, null, env, system, code));
    }

    @Test
    void eachSourceOverridesTheOnesBelowIt() {
        Properties system = new Properties();
        system.setProperty("flux.kafka.client-id", "from-system");
        system.setProperty("flux.producer.max-buffer-size", "222");
        system.setProperty("flux.retry.time-scale", "0.2");
        system.setProperty("flux.shutdown-timeout", "22s");
        system.setProperty("unrelated.setting", "ignored");
        Map<String, String> env = Map.of(
                "FLUX_PRODUCER_MAX_BUFFER_SIZE", "333",
                "FLUX_RETRY_TIME_SCALE", "0.3",
                "FLUX_SHUTDOWN_TIMEOUT", "33s",
                "FLUX_KAFKA_PROPERTIES_METADATA_MAX_AGE_MS", "3333");
        Map<String, Object> code = Map.of("flux.shutdown-timeout", "44s");

        FluxConfig config = load(env, system, code);

        assertEquals(Duration.ofMillis(11), config.producer().deliveryInterval(), "application.conf over reference.conf");
        assertEquals(List.of("from-application-conf:9092"), config.kafka().brokers(), "application.conf over reference.conf");
        assertEquals("from-system", config.kafka().clientId(), "system properties over application.conf");
        assertEquals(333, config.producer().maxBufferSize(), "environment over system properties");
        assertEquals(0.3, config.retryTimeScale(), "environment over system properties");
        assertEquals(Duration.ofSeconds(44), config.shutdownTimeout(), "code over environment");
        assertEquals("3333", config.kafka().properties().get("metadata.max.age.ms"), "environment merges into properties");
        assertEquals("1111", config.kafka().properties().get("request.timeout.ms"), "other properties are kept");
    }

    @Test
    void applicationConfAloneOverridesReference() {
        FluxConfig config = load(Map.of(), new Properties(), Map.of());
        assertEquals(111, config.producer().maxBufferSize());
        assertEquals(0.5, config.retryTimeScale());
        assertEquals("from-application-conf", config.kafka().clientId());
        assertEquals(10_000, ConfigFixture.load("").producer().maxBufferSize(), "reference.conf default without it");
    }

    @Test
    void fluxInstanceIdIsShortForTheConsumersInstanceId() {
        assertEquals(java.util.Optional.of("host-7"),
                load(Map.of("FLUX_INSTANCE_ID", "host-7"), new Properties(), Map.of()).membership().instanceId());
        assertEquals(java.util.Optional.of("host-8"),
                load(Map.of("FLUX_CONSUMER_INSTANCE_ID", "host-8"), new Properties(), Map.of()).membership().instanceId());
    }

    @Test
    void environmentVariablesMapToEverySetting() {
        FluxConfig config = load(Map.of(
                "FLUX_KAFKA_BROKERS", "env-1:9092,env-2:9092",
                "FLUX_KAFKA_CLIENT_ID", "env-app",
                "FLUX_PRODUCER_COMPRESSION_CODEC", "zstd",
                "FLUX_PRODUCER_REQUIRED_ACKS", "1",
                "FLUX_PRODUCER_DELIVERY_INTERVAL", "7ms",
                "FLUX_PRODUCER_PROPERTIES_BATCH_SIZE", "32768",
                "FLUX_CONSUMER_PROPERTIES_MAX_POLL_RECORDS", "10",
                "FLUX_CLUSTERS_ANALYTICS_EU_BROKERS", "an-1:9092",
                "FLUX_CLUSTERS_ANALYTICS_EU_PROPERTIES_SECURITY_PROTOCOL", "SSL",
                "PATH", "/usr/bin"), new Properties(), Map.of());
        assertEquals(List.of("env-1:9092", "env-2:9092"), config.kafka().brokers());
        assertEquals("env-app", config.kafka().clientId());
        assertEquals("zstd", config.producer().compressionCodec().configValue());
        assertEquals("1", config.producer().requiredAcks().configValue());
        assertEquals(Duration.ofMillis(7), config.producer().deliveryInterval());
        assertEquals("32768", config.producer().properties().get("batch.size"));
        assertEquals("10", config.consumerProperties().get("max.poll.records"));
        assertEquals(List.of("an-1:9092"), config.cluster("analytics-eu").brokers());
        assertEquals(Map.of("security.protocol", "SSL"), config.cluster("analytics-eu").properties());
    }

    @Test
    void environmentClusterVariablesFindClustersDefinedInFiles() {
        Properties system = new Properties();
        system.setProperty("flux.clusters.eu_west.brokers", "file:9092");
        FluxConfig config = load(Map.of("FLUX_CLUSTERS_EU_WEST_CLIENT_ID", "env-id"), system, Map.of());
        assertEquals("env-id", config.cluster("eu_west").clientId());
        assertEquals(List.of("file:9092"), config.cluster("eu_west").brokers());
    }

    @Test
    void misspeltEnvironmentVariableIsAnError() {
        FluxConfigException e = assertThrows(FluxConfigException.class,
                () -> load(Map.of("FLUX_PRODUCER_MAX_BUFER_SIZE", "3"), new Properties(), Map.of()));
        assertEquals("FLUX_PRODUCER_MAX_BUFER_SIZE", e.key());
        assertTrue(e.getMessage().contains("FLUX_PRODUCER_MAX_BUFFER_SIZE"), e.getMessage());
    }

    @Test
    void badValueFromTheEnvironmentNamesItsSource() {
        FluxConfigException e = assertThrows(FluxConfigException.class,
                () -> load(Map.of("FLUX_PRODUCER_COMPRESSION_CODEC", "brotli"), new Properties(), Map.of()));
        assertTrue(e.getMessage().contains("environment variables"), e.getMessage());
        assertTrue(e.getMessage().contains("flux.producer.compression-codec"), e.getMessage());
    }

    @Test
    void aConfigFileSitsBetweenApplicationConfAndSystemProperties() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("flux", ".conf");
        java.nio.file.Files.writeString(file, "flux.producer.max-buffer-size = 444\nflux.kafka.client-id = from-file\n");
        Properties system = new Properties();
        system.setProperty("flux.kafka.client-id", "from-system");
        FluxConfig config = ConfigLoader.load(new ConfigSources(APPLICATION, file, Map.of(), system, Map.of()));
        assertEquals(444, config.producer().maxBufferSize(), "file over application.conf");
        assertEquals("from-system", config.kafka().clientId(), "system properties over file");
        FluxConfigException missing = assertThrows(FluxConfigException.class, () -> ConfigLoader.load(
                new ConfigSources(APPLICATION, file.resolveSibling("missing.conf"), Map.of(), new Properties(), Map.of())));
        assertTrue(missing.getMessage().contains("missing.conf"), missing.getMessage());
    }
}
