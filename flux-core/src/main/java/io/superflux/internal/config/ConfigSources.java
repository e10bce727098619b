package io.superflux.internal.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Where configuration comes from, lowest precedence first: {@code reference.conf} and
 * {@code application.conf} on {@code classLoader}, an optional {@code configFile}, system
 * properties under {@code flux.}, environment variables {@code FLUX_…}, and overrides set in code.
 * Passed in whole so that tests can give any environment without changing the real one.
 */
public record ConfigSources(ClassLoader classLoader, Path configFile, Map<String, String> environment,
                            Properties systemProperties, Map<String, Object> overrides) {
    public ConfigSources {
        Objects.requireNonNull(classLoader, "classLoader");
        environment = Map.copyOf(environment);
        Objects.requireNonNull(systemProperties, "systemProperties");
        overrides = Map.copyOf(overrides);
    }

    /** This process's sources: the context class loader, the real environment and system properties. */
    public static ConfigSources ofProcess(ClassLoader classLoader, Path configFile, Map<String, Object> overrides) {
        return new ConfigSources(classLoader, configFile, System.getenv(), System.getProperties(), overrides);
    }
}
