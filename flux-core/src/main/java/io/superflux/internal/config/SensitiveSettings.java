package io.superflux.internal.config;

import java.util.List;
import java.util.Locale;

/**
 * Tells which settings may hold secrets (SASL and SSL settings, passwords, keys, tokens), so that
 * their values never reach a log line or an error message.
 */
public final class SensitiveSettings {
    private static final List<String> MARKERS =
            List.of("sasl", "ssl", "password", "secret", "jaas", "token", "credential", "key.pem", "keystore");

    private SensitiveSettings() {
    }

    /** Whether the value of the setting at {@code path} (any spelling, e.g. {@code flux.kafka.properties."sasl.jaas.config"}) must be hidden. */
    public static boolean isSensitive(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        return MARKERS.stream().anyMatch(lower::contains);
    }

    /** {@code value}, or {@code (hidden)} when the setting at {@code path} is sensitive. */
    public static String shown(String path, String value) {
        return isSensitive(path) ? "(hidden)" : value;
    }
}
