package io.superflux.internal.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;

import io.superflux.FluxConfigException;

/**
 * Turns {@code FLUX_…} environment variables into configuration. A variable's name is the
 * setting's path below {@code flux} in upper case with dots and dashes as underscores:
 * {@code FLUX_KAFKA_BROKERS} is {@code flux.kafka.brokers}, {@code FLUX_PRODUCER_MAX_BUFFER_SIZE}
 * is {@code flux.producer.max-buffer-size}. Below a {@code properties} block the rest of the name,
 * in lower case with underscores as dots, is the kafka-clients setting:
 * {@code FLUX_KAFKA_PROPERTIES_SECURITY_PROTOCOL} is {@code security.protocol}. Named clusters:
 * {@code FLUX_CLUSTERS_<NAME>_BROKERS}, {@code …_CLIENT_ID}, {@code …_PROPERTIES_<SETTING>}.
 * {@code FLUX_INSTANCE_ID} is short for {@code FLUX_CONSUMER_INSTANCE_ID}.
 *
 * <p>A variable that starts like a setting ({@code FLUX_KAFKA_…}, {@code FLUX_PRODUCER_…}, …) but
 * names none is an error, so a misspelling is never ignored; any other {@code FLUX_…} variable is
 * logged at WARN and ignored, except the launcher's and the deployment files' own
 * ({@code FLUX_JAVA_OPTS}, {@code FLUX_HOME}, {@code FLUX_LOG_LEVEL}, {@code FLUX_LOG_FORMAT}, and the
 * systemd unit's {@code FLUX_TASK}, {@code FLUX_STAGES}, {@code FLUX_APP}, and {@code FLUX_JAR}, the
 * quickstart's path of flux.jar).
 */
final class EnvironmentOverrides {
    private static final Logger log = LoggerFactory.getLogger(EnvironmentOverrides.class);
    private static final String PREFIX = "FLUX_";
    /** The launcher's, the command's and the systemd unit's own variables: read there, not settings. */
    private static final Set<String> LAUNCHER_VARIABLES = Set.of("FLUX_JAVA_OPTS", "FLUX_HOME", "FLUX_LOG_LEVEL",
            "FLUX_LOG_FORMAT", "FLUX_TASK", "FLUX_STAGES", "FLUX_APP", "FLUX_JAR");
    private static final List<String> PROPERTY_BLOCKS = List.of("kafka", "producer", "consumer", "topics");
    /** Short names of settings a deployment sets per process. */
    private static final Map<String, String> ALIASES = Map.of("FLUX_INSTANCE_ID", "flux.consumer.instance-id");

    private EnvironmentOverrides() {
    }

    static Config toConfig(Map<String, String> environment, Config reference, Config lower) {
        Map<String, String> settings = settingNames(reference);
        Set<String> sections = new TreeSet<>();
        for (String path : settings.values()) {
            sections.add(PREFIX + path.split("\\.")[1].toUpperCase(Locale.ROOT).replace('-', '_') + "_");
        }
        sections.add(PREFIX + "CLUSTERS_");
        List<String> clusterNames = lower.hasPath("flux.clusters")
                ? new ArrayList<>(lower.getObject("flux.clusters").keySet()) : List.of();

        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> variable : new TreeMap<>(environment).entrySet()) {
            String name = variable.getKey();
            if (!name.startsWith(PREFIX) || LAUNCHER_VARIABLES.contains(name)) {
                continue;
            }
            String path = settings.containsKey(name) ? settings.get(name) : ALIASES.get(name);
            if (path == null) {
                path = propertyPath(name);
            }
            if (path == null && name.startsWith(PREFIX + "CLUSTERS_")) {
                path = clusterPath(name, clusterNames);
            }
            if (path != null) {
                values.put(path, variable.getValue());
            } else if (sections.stream().anyMatch(name::startsWith)) {
                throw new FluxConfigException(name, "Unknown environment variable " + name
                        + ": it names no Flux setting. Known: " + String.join(", ", settings.keySet())
                        + ", FLUX_{KAFKA,PRODUCER,CONSUMER,TOPICS}_PROPERTIES_<KAFKA_SETTING>"
                        + ", FLUX_CLUSTERS_<NAME>_{BROKERS,CLIENT_ID,PROPERTIES_<KAFKA_SETTING>}");
            } else {
                log.warn("Ignoring environment variable {}: it is not a Flux setting", name);
            }
        }
        return ConfigFactory.parseMap(values, "environment variables");
    }

    /** Environment name of every scalar setting in reference.conf, e.g. FLUX_KAFKA_CLIENT_ID → flux.kafka.client-id. */
    private static Map<String, String> settingNames(Config reference) {
        Map<String, String> names = new TreeMap<>();
        for (Map.Entry<String, ?> setting : reference.getConfig("flux").entrySet()) {
            names.put(PREFIX + upperCase(setting.getKey()), "flux." + setting.getKey());
        }
        return names;
    }

    private static String propertyPath(String name) {
        for (String block : PROPERTY_BLOCKS) {
            String prefix = PREFIX + block.toUpperCase(Locale.ROOT) + "_PROPERTIES_";
            if (name.startsWith(prefix) && name.length() > prefix.length()) {
                return "flux." + block + ".properties." + ConfigUtil.quoteString(kafkaSetting(name.substring(prefix.length())));
            }
        }
        return null;
    }

    private static String clusterPath(String name, List<String> knownClusters) {
        String rest = name.substring((PREFIX + "CLUSTERS_").length());
        String cluster = null;
        String setting = null;
        for (String known : knownClusters) {
            String upper = upperCase(known) + "_";
            if (rest.startsWith(upper)) {
                cluster = known;
                setting = rest.substring(upper.length());
                break;
            }
        }
        if (cluster == null) {
            int at = indexOfSetting(rest);
            if (at <= 0) {
                return null;
            }
            cluster = rest.substring(0, at).toLowerCase(Locale.ROOT).replace('_', '-');
            setting = rest.substring(at + 1);
        }
        String base = "flux.clusters." + ConfigUtil.quoteString(cluster) + ".";
        if (setting.equals("BROKERS")) {
            return base + "brokers";
        } else if (setting.equals("CLIENT_ID")) {
            return base + "client-id";
        } else if (setting.startsWith("PROPERTIES_") && setting.length() > "PROPERTIES_".length()) {
            return base + "properties." + ConfigUtil.quoteString(kafkaSetting(setting.substring("PROPERTIES_".length())));
        }
        return null;
    }

    private static int indexOfSetting(String rest) {
        for (String setting : List.of("_BROKERS", "_CLIENT_ID", "_PROPERTIES_")) {
            int at = setting.endsWith("_") ? rest.indexOf(setting) : (rest.endsWith(setting) ? rest.length() - setting.length() : -1);
            if (at > 0) {
                return at;
            }
        }
        return -1;
    }

    private static String kafkaSetting(String upper) {
        return upper.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    private static String upperCase(String path) {
        return path.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
