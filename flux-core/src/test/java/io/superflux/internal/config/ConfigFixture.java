package io.superflux.internal.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import io.superflux.FluxConfig;

/** Loads configuration from given sources, without the real environment, for unit tests. */
final class ConfigFixture {
    private ConfigFixture() {
    }

    /** reference.conf plus an application.conf with {@code hocon} (may be empty). */
    static FluxConfig load(String hocon) {
        return load(hocon, Map.of(), new Properties(), Map.of());
    }

    static FluxConfig load(String hocon, Map<String, String> env, Properties system, Map<String, Object> code) {
        return ConfigLoader.load(new ConfigSources(classLoaderWith(hocon), null, env, system, code));
    }

    /** A class loader that sees flux-core's reference.conf and an application.conf holding {@code hocon}. */
    static ClassLoader classLoaderWith(String hocon) {
        try {
            Path dir = Files.createTempDirectory("flux-config");
            Files.writeString(dir.resolve("application.conf"), hocon);
            dir.toFile().deleteOnExit();
            dir.resolve("application.conf").toFile().deleteOnExit();
            return new URLClassLoader(new URL[] {dir.toUri().toURL()}, ConfigFixture.class.getClassLoader());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A class loader whose application.conf is the test resource {@code resourceDir/application.conf}. */
    static ClassLoader classLoaderOf(String resourceDir) {
        URL url = ConfigFixture.class.getClassLoader().getResource(resourceDir + "/");
        return new URLClassLoader(new URL[] {url}, ConfigFixture.class.getClassLoader());
    }
}
