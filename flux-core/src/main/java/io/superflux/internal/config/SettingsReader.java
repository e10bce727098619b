package io.superflux.internal.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import io.superflux.Acks;
import io.superflux.BatchSettings;
import io.superflux.ClusterSettings;
import io.superflux.CompressionCodec;
import io.superflux.DeliveryGuarantee;
import io.superflux.FluxConfig;
import io.superflux.FluxConfigException;
import io.superflux.HttpSettings;
import io.superflux.MembershipSettings;
import io.superflux.ProducerSettings;
import io.superflux.TopicSettings;
import io.superflux.task.BatchLimits;

/**
 * Reads the typed {@link FluxConfig} from a merged configuration, checking every value. Each
 * error names the key, the bad value, where it came from and what is allowed.
 */
final class SettingsReader {
    private static final Pattern BROKER = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):(\\d{1,5})");
    private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");
    private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final String DURATION_HELP = "a duration such as 5ms, 250 ms, 2s, 1m";

    private final Config config;

    SettingsReader(Config config) {
        this.config = config;
    }

    FluxConfig read() {
        ClusterSettings kafka = cluster(FluxConfig.DEFAULT_CLUSTER, "flux.kafka", null);
        Map<String, ClusterSettings> clusters = new TreeMap<>();
        for (String name : config.getObject("flux.clusters").keySet()) {
            String path = "flux.clusters." + ConfigUtil.joinPath(name);
            if (!CLUSTER_NAME.matcher(name).matches() || name.equals(FluxConfig.DEFAULT_CLUSTER)) {
                throw new FluxConfigException(path, "Invalid cluster name '" + name + "' under flux.clusters: use letters,"
                        + " digits, '-' and '_' (and not '" + FluxConfig.DEFAULT_CLUSTER + "', which is flux.kafka)");
            }
            requireBlock(path);
            clusters.put(name, cluster(name, path, kafka.clientId()));
        }
        ProducerSettings producer = new ProducerSettings(
                positiveInt("flux.producer.max-buffer-size"),
                codec("flux.producer.compression-codec"),
                acks("flux.producer.required-acks"),
                duration("flux.producer.delivery-interval", Duration.ofMillis(Integer.MAX_VALUE)),
                properties("flux.producer.properties"));
        return new FluxConfig(kafka, clusters, producer, properties("flux.consumer.properties"),
                positiveDuration("flux.consumer.commit-interval", Duration.ofHours(1)),
                new MembershipSettings(instanceId("flux.consumer.instance-id"), bool("flux.consumer.leave-group-on-shutdown")),
                topics(),
                positiveNumber("flux.retry.time-scale"),
                duration("flux.shutdown-timeout", Duration.ofDays(1)),
                positiveDuration("flux.startup-timeout", Duration.ofDays(1)),
                new HttpSettings(nonEmptyString("flux.http.host"), port("flux.http.port")),
                durationOrDefault("flux.health.call-timeout"),
                properties("flux.serde.properties"),
                delivery("flux.delivery"), batch());
    }

    private BatchSettings batch() {
        String allowed = "or default (the task's TaskSpec.batchLimits)";
        OptionalInt records = intOrDefault("flux.batch.max-records", BatchLimits.MAX_RECORDS, allowed);
        OptionalLong bytes = OptionalLong.empty();
        ConfigValue value = config.getValue("flux.batch.max-bytes");
        if (!isDefault(value)) {
            try {
                long size = config.getBytes("flux.batch.max-bytes");
                if (size < 1) {
                    throw bad("flux.batch.max-bytes", value, "a size of at least 1 byte, e.g. 16MiB, " + allowed);
                }
                bytes = OptionalLong.of(size);
            } catch (ConfigException e) {
                throw bad("flux.batch.max-bytes", value, "a size such as 1048576, 512KiB or 16MiB, " + allowed);
            }
        }
        value = config.getValue("flux.batch.max-wait");
        Optional<Duration> wait = isDefault(value) ? Optional.empty()
                : Optional.of(duration("flux.batch.max-wait", BatchLimits.MAX_WAIT));
        return new BatchSettings(records, bytes, wait);
    }

    private static boolean isDefault(ConfigValue value) {
        return value.valueType() == ConfigValueType.STRING && "default".equals(String.valueOf(value.unwrapped()).trim());
    }

    /**
     * Empty: dynamic membership. Otherwise what Kafka accepts in a group.instance.id (letters, digits,
     * '.', '_', '-'), short enough to leave room for the stage group appended to it.
     */
    private java.util.Optional<String> instanceId(String key) {
        ConfigValue value = config.getValue(key);
        String id = value.valueType() == ConfigValueType.STRING || value.valueType() == ConfigValueType.NUMBER
                ? String.valueOf(value.unwrapped()).trim() : null;
        if ("".equals(id)) {
            return java.util.Optional.empty();
        }
        if (id != null && INSTANCE_ID.matcher(id).matches()) {
            return java.util.Optional.of(id);
        }
        throw bad(key, value, "letters, digits, '.', '_' and '-', at most 100 characters (e.g. the host or pod name),"
                + " or \"\" for dynamic membership");
    }

    private int port(String key) {
        ConfigValue value = config.getValue(key);
        try {
            double number = config.getNumber(key).doubleValue();
            if (number >= 0 && number <= 65_535 && number == Math.rint(number)) {
                return (int) number;
            }
        } catch (ConfigException e) {
            // reported below with the allowed values
        }
        throw bad(key, value, "a port from 1 to 65535, or 0 to turn the endpoint off");
    }

    /** A duration greater than 0, or the string "default" (empty). */
    private java.util.Optional<Duration> durationOrDefault(String key) {
        ConfigValue value = config.getValue(key);
        if (value.valueType() == ConfigValueType.STRING && "default".equals(String.valueOf(value.unwrapped()).trim())) {
            return java.util.Optional.empty();
        }
        try {
            Duration duration = config.getDuration(key);
            if (!duration.isNegative() && !duration.isZero()) {
                return java.util.Optional.of(duration);
            }
        } catch (ConfigException e) {
            // reported below with the allowed values
        }
        throw bad(key, value, DURATION_HELP + ", greater than 0, or default");
    }

    private TopicSettings topics() {
        OptionalInt replicationFactor = intOrDefault("flux.topics.replication-factor", Short.MAX_VALUE);
        OptionalInt minInsync = intOrDefault("flux.topics.min-insync-replicas", Short.MAX_VALUE);
        if (replicationFactor.isPresent() && minInsync.isPresent() && minInsync.getAsInt() > replicationFactor.getAsInt()) {
            throw bad("flux.topics.min-insync-replicas", config.getValue("flux.topics.min-insync-replicas"),
                    "at most flux.topics.replication-factor (" + replicationFactor.getAsInt() + "): more in-sync replicas"
                            + " than replicas would refuse every write");
        }
        double factor = positiveNumber("flux.topics.retention-safety-factor");
        if (factor < 1) {
            throw bad("flux.topics.retention-safety-factor", config.getValue("flux.topics.retention-safety-factor"),
                    "a number of at least 1.0 (retention must outlast the longest wait)");
        }
        return new TopicSettings(bool("flux.topics.auto-create"), replicationFactor, minInsync, factor,
                positiveDuration("flux.topics.min-retention", Duration.ofDays(365 * 100)),
                positiveDuration("flux.topics.dead-letter-retention", Duration.ofDays(365 * 100)),
                bool("flux.topics.allow-short-retention"),
                properties("flux.topics.properties"));
    }

    /** A whole number from 1 to {@code max}, or the string "default" (empty). */
    private OptionalInt intOrDefault(String key, int max) {
        return intOrDefault(key, max, "or default (the broker's)");
    }

    private OptionalInt intOrDefault(String key, int max, String orDefault) {
        ConfigValue value = config.getValue(key);
        if (isDefault(value)) {
            return OptionalInt.empty();
        }
        try {
            double number = config.getNumber(key).doubleValue();
            if (number >= 1 && number <= max && number == Math.rint(number)) {
                return OptionalInt.of((int) number);
            }
        } catch (ConfigException e) {
            // reported below with the allowed values
        }
        throw bad(key, value, "a whole number from 1 to " + max + ", " + orDefault);
    }

    private ClusterSettings cluster(String name, String path, String defaultClientId) {
        List<String> brokers = brokers(path + ".brokers");
        String clientId = defaultClientId != null && !config.hasPath(path + ".client-id")
                ? defaultClientId : nonEmptyString(path + ".client-id");
        Map<String, String> properties = config.hasPath(path + ".properties") ? properties(path + ".properties") : Map.of();
        return new ClusterSettings(name, brokers, clientId, properties);
    }

    private List<String> brokers(String key) {
        if (!config.hasPath(key)) {
            throw new FluxConfigException(key, key + " is missing: give at least one host:port, e.g. [\"localhost:9092\"]");
        }
        ConfigValue value = config.getValue(key);
        List<String> entries = new ArrayList<>();
        if (value.valueType() == ConfigValueType.LIST) {
            for (ConfigValue element : (ConfigList) value) {
                if (element.valueType() != ConfigValueType.STRING) {
                    throw bad(key, value, "a list of host:port strings, or one comma-separated string");
                }
                entries.addAll(splitBrokers((String) element.unwrapped()));
            }
        } else if (value.valueType() == ConfigValueType.STRING) {
            entries.addAll(splitBrokers((String) value.unwrapped()));
        } else {
            throw bad(key, value, "a list of host:port strings, or one comma-separated string");
        }
        if (entries.isEmpty()) {
            throw bad(key, value, "at least one host:port, e.g. [\"localhost:9092\"] or \"host1:9092,host2:9092\"");
        }
        for (String broker : entries) {
            Matcher matcher = BROKER.matcher(broker);
            int port = matcher.matches() ? Integer.parseInt(matcher.group(2)) : -1;
            if (port < 1 || port > 65535) {
                throw bad(key, value, "host:port entries with a port from 1 to 65535; '" + broker + "' is not one");
            }
        }
        return entries;
    }

    private static List<String> splitBrokers(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toList());
    }

    private String nonEmptyString(String key) {
        ConfigValue value = config.getValue(key);
        if (value.valueType() != ConfigValueType.STRING && value.valueType() != ConfigValueType.NUMBER) {
            throw bad(key, value, "a non-empty string");
        }
        String text = String.valueOf(value.unwrapped()).trim();
        if (text.isEmpty()) {
            throw bad(key, value, "a non-empty string");
        }
        return text;
    }

    private int positiveInt(String key) {
        ConfigValue value = config.getValue(key);
        try {
            double number = config.getNumber(key).doubleValue();
            if (number >= 1 && number <= Integer.MAX_VALUE && number == Math.rint(number)) {
                return (int) number;
            }
        } catch (ConfigException e) {
            // reported below with the allowed values
        }
        throw bad(key, value, "a whole number from 1 to " + Integer.MAX_VALUE);
    }

    private double positiveNumber(String key) {
        ConfigValue value = config.getValue(key);
        try {
            double number = config.getDouble(key);
            if (number > 0 && Double.isFinite(number)) {
                return number;
            }
        } catch (ConfigException e) {
            // reported below with the allowed values
        }
        throw bad(key, value, "a number greater than 0, e.g. 1.0 or 0.001");
    }

    private Duration duration(String key, Duration max) {
        ConfigValue value = config.getValue(key);
        Duration duration;
        try {
            duration = config.getDuration(key);
        } catch (ConfigException e) {
            throw bad(key, value, DURATION_HELP);
        }
        if (duration.isNegative() || duration.compareTo(max) > 0) {
            throw bad(key, value, DURATION_HELP + ", from 0 to " + max);
        }
        return duration;
    }

    private Duration positiveDuration(String key, Duration max) {
        Duration duration = duration(key, max);
        if (duration.isZero()) {
            throw bad(key, config.getValue(key), DURATION_HELP + ", greater than 0");
        }
        return duration;
    }

    private boolean bool(String key) {
        ConfigValue value = config.getValue(key);
        try {
            return config.getBoolean(key);
        } catch (ConfigException e) {
            throw bad(key, value, "true or false");
        }
    }

    private CompressionCodec codec(String key) {
        return oneOf(key, CompressionCodec.values(), CompressionCodec::configValue);
    }

    private DeliveryGuarantee delivery(String key) {
        return oneOf(key, DeliveryGuarantee.values(), DeliveryGuarantee::configValue);
    }

    /** The constant whose text is the string at {@code key} (case aside); anything else names the allowed values. */
    private <E extends Enum<E>> E oneOf(String key, E[] constants, java.util.function.Function<E, String> text) {
        ConfigValue value = config.getValue(key);
        String given = String.valueOf(value.unwrapped()).trim().toLowerCase(Locale.ROOT);
        for (E constant : constants) {
            if (text.apply(constant).equals(given) && value.valueType() == ConfigValueType.STRING) {
                return constant;
            }
        }
        throw bad(key, value, "one of " + Arrays.stream(constants).map(text).collect(Collectors.joining(", ")));
    }

    private Acks acks(String key) {
        ConfigValue value = config.getValue(key);
        String text = String.valueOf(value.unwrapped()).trim().toLowerCase(Locale.ROOT);
        switch (text) {
            case "0":
                return Acks.NONE;
            case "1":
                return Acks.LEADER;
            case "all":
            case "-1":
                return Acks.ALL;
            default:
                throw bad(key, value, "one of 0, 1, all, -1");
        }
    }

    private Map<String, String> properties(String key) {
        requireBlock(key);
        Map<String, String> properties = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> entry : config.getConfig(key).entrySet()) {
            String name = String.join(".", ConfigUtil.splitPath(entry.getKey()));
            ConfigValue value = entry.getValue();
            String text;
            if (value.valueType() == ConfigValueType.LIST) {
                text = ((ConfigList) value).unwrapped().stream().map(String::valueOf).collect(Collectors.joining(","));
            } else if (value.valueType() == ConfigValueType.OBJECT) {
                throw bad(key + "." + ConfigUtil.quoteString(name), value, "a value for the kafka-clients setting " + name);
            } else {
                text = String.valueOf(value.unwrapped());
            }
            properties.put(name, text);
        }
        return properties;
    }

    private void requireBlock(String key) {
        ConfigValue value = config.getValue(key);
        if (value.valueType() != ConfigValueType.OBJECT) {
            throw bad(key, value, "a block { … }");
        }
    }

    private static FluxConfigException bad(String key, ConfigValue value, String allowed) {
        return new FluxConfigException(key, "Invalid setting " + key + " = "
                + SensitiveSettings.shown(key, UnknownKeyCheck.render(value))
                + UnknownKeyCheck.origin(value) + ": expected " + allowed);
    }
}
