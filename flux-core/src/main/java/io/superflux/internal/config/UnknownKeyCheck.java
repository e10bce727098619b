package io.superflux.internal.config;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import io.superflux.FluxConfigException;

/**
 * Rejects every key under {@code flux} that reference.conf does not define, so a misspelt key
 * fails loudly instead of being ignored. Below a {@code properties} block any key is allowed
 * (kafka-clients settings); below {@code clusters} any cluster name, with the keys of a cluster.
 */
final class UnknownKeyCheck {
    private static final Set<String> CLUSTER_KEYS = Set.of("brokers", "client-id", "properties");

    private UnknownKeyCheck() {
    }

    static void check(Config merged, Config reference) {
        if (!merged.hasPath("flux")) {
            return;
        }
        if (merged.getValue("flux").valueType() != ConfigValueType.OBJECT) {
            throw new FluxConfigException("flux", "flux must be a block { … } of settings, not "
                    + render(merged.getValue("flux")) + origin(merged.getValue("flux")));
        }
        ConfigObject known = reference.getObject("flux");
        for (Map.Entry<String, ConfigValue> entry : merged.getConfig("flux").entrySet()) {
            checkPath(ConfigUtil.splitPath(entry.getKey()), entry.getValue(), known);
        }
    }

    private static void checkPath(List<String> path, ConfigValue value, ConfigObject known) {
        ConfigObject node = known;
        StringBuilder at = new StringBuilder("flux");
        for (int i = 0; i < path.size(); i++) {
            String segment = path.get(i);
            String parent = at.toString();
            at.append('.').append(ConfigUtil.joinPath(segment));
            if (i == 1 && path.get(0).equals("clusters")) {
                continue; // a cluster's name: any name
            }
            if (i == 2 && path.get(0).equals("clusters")) {
                if (!CLUSTER_KEYS.contains(segment)) {
                    throw unknown(at.toString(), "flux." + ConfigUtil.joinPath(path), value, parent, CLUSTER_KEYS);
                }
                if (segment.equals("properties")) {
                    return;
                }
                requireLeaf(at.toString(), i, path, value);
                return;
            }
            ConfigValue child = node.get(segment);
            if (child == null) {
                throw unknown(at.toString(), "flux." + ConfigUtil.joinPath(path), value, parent, node.keySet());
            }
            if (segment.equals("properties") && child.valueType() == ConfigValueType.OBJECT) {
                return;
            }
            if (child.valueType() == ConfigValueType.OBJECT) {
                if (i == path.size() - 1) {
                    throw new FluxConfigException(at.toString(), at + " must be a block { … }, not "
                            + render(value) + origin(value));
                }
                node = (ConfigObject) child;
            } else {
                requireLeaf(at.toString(), i, path, value);
                return;
            }
        }
    }

    private static void requireLeaf(String at, int index, List<String> path, ConfigValue value) {
        if (index != path.size() - 1) {
            throw new FluxConfigException(at, at + " is a single setting, not a block: found "
                    + "flux." + ConfigUtil.joinPath(path) + origin(value) + "; set " + at + " = <value>");
        }
    }

    private static FluxConfigException unknown(String key, String fullPath, ConfigValue value, String parent, Set<String> allowed) {
        Set<String> sorted = new TreeSet<>(allowed);
        String leaf = key.substring(parent.length() + 1);
        String suggestion = sorted.stream()
                .min(Comparator.comparingInt(candidate -> distance(candidate, leaf)))
                .filter(candidate -> distance(candidate, leaf) <= Math.max(2, (leaf.length() + 1) / 2))
                .map(candidate -> " Did you mean " + parent + "." + candidate + "?")
                .orElse("");
        return new FluxConfigException(key, "Unknown setting " + key + " = "
                + SensitiveSettings.shown(fullPath, render(value)) + origin(value)
                + ": allowed keys under " + parent + " are " + String.join(", ", sorted) + "." + suggestion);
    }

    static String render(ConfigValue value) {
        return value.render(ConfigRenderOptions.concise());
    }

    static String origin(ConfigValue value) {
        return value.origin() == null ? "" : " (from " + value.origin().description() + ")";
    }

    /** Levenshtein distance, for "did you mean". */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
