package io.superflux.internal.config;

import java.nio.file.Files;
import java.util.Properties;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;

import io.superflux.FluxConfig;
import io.superflux.FluxConfigException;

/**
 * Layers the configuration sources, checks that every key is known and reads the typed
 * {@link FluxConfig}. Every problem surfaces here as a {@link FluxConfigException}.
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /** Flux's settings and the application's own configuration (every key outside {@code flux}). */
    public record Loaded(FluxConfig flux, Config application) {
    }

    /** Loads and validates Flux's configuration from {@code sources}. */
    public static FluxConfig load(ConfigSources sources) {
        return loadAll(sources).flux();
    }

    /** Loads and validates Flux's configuration and the application's from {@code sources}. */
    public static Loaded loadAll(ConfigSources sources) {
        Config reference = ConfigFactory.defaultReference(sources.classLoader());
        Config application = parse(() -> ConfigFactory.parseResourcesAnySyntax(sources.classLoader(), "application",
                ConfigParseOptions.defaults().setClassLoader(sources.classLoader())), "application.conf");
        Config file = ConfigFactory.empty();
        if (sources.configFile() != null) {
            if (!Files.isRegularFile(sources.configFile())) {
                throw new FluxConfigException("config file", "Configuration file " + sources.configFile()
                        + " does not exist or is not a file: give the path of a HOCON (.conf) file");
            }
            file = parse(() -> ConfigFactory.parseFile(sources.configFile().toFile(),
                    ConfigParseOptions.defaults().setAllowMissing(false)), sources.configFile().toString());
        }
        Config systemProperties = ConfigFactory.parseProperties(fluxOnly(sources.systemProperties()),
                ConfigParseOptions.defaults().setOriginDescription("system properties"));
        Config lower = systemProperties.withFallback(file).withFallback(application).withFallback(reference);
        Config environment = EnvironmentOverrides.toConfig(sources.environment(), reference, lower);
        Config code = parse(() -> ConfigFactory.parseMap(sources.overrides(), "SuperFlux.configure"),
                "SuperFlux.configure");

        Config merged;
        try {
            merged = code.withFallback(environment).withFallback(lower)
                    .resolve(ConfigResolveOptions.defaults().setAllowUnresolved(false));
        } catch (ConfigException e) {
            throw new FluxConfigException("flux", "Configuration cannot be resolved: " + e.getMessage(), e);
        }
        UnknownKeyCheck.check(merged, reference);
        FluxConfig flux = new SettingsReader(merged).read();
        return new Loaded(flux, application(sources, file, application, reference));
    }

    /**
     * The application's own keys: every system property over the config file over
     * application.conf over the jars' reference.conf, without {@code flux}; substitutions
     * ({@code ${?ORDERS_DB_URL}}) are resolved against the configuration and then the environment.
     */
    private static Config application(ConfigSources sources, Config file, Config application, Config reference) {
        Config systemProperties = ConfigFactory.parseProperties(sources.systemProperties(),
                ConfigParseOptions.defaults().setOriginDescription("system properties"));
        try {
            return systemProperties.withFallback(file).withFallback(application).withFallback(reference)
                    .resolve(ConfigResolveOptions.defaults()).withoutPath("flux");
        } catch (ConfigException e) {
            // Some of Typesafe's messages carry the whole configuration, environment included: never print that.
            String message = String.valueOf(e.getMessage());
            int dump = message.indexOf(" in ResolveSource(");
            throw new FluxConfigException("config", "The application's configuration cannot be resolved: "
                    + (dump < 0 ? message : message.substring(0, dump)), e);
        }
    }

    private static Properties fluxOnly(Properties all) {
        Properties flux = new Properties();
        for (String name : all.stringPropertyNames()) {
            if (name.startsWith("flux.")) {
                flux.setProperty(name, all.getProperty(name));
            }
        }
        return flux;
    }

    private static Config parse(java.util.function.Supplier<Config> parser, String source) {
        try {
            return parser.get();
        } catch (ConfigException e) {
            throw new FluxConfigException("flux", "Configuration from " + source + " cannot be read: " + e.getMessage(), e);
        }
    }
}
