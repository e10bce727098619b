package io.superflux.cli;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.superflux.Configurer;
import io.superflux.SuperFlux;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The application a command works with: {@code --load} paths (its classes, its libraries and its
 * {@code application.conf}), and an optional {@code --config} file.
 */
final class ApplicationOptions {
    @Option(names = "--load", paramLabel = "PATH",
            description = {"The application (repeatable): a jar, a directory of classes, a directory of jars, 'dir/*' (its"
                    + " jars, quoted as for java -cp) or a list of these joined by ':' (app.jar:'lib/*'). Its classes and"
                    + " libraries load before flux.jar's (Flux's API, kafka-clients, SLF4J, logback, Typesafe Config and"
                    + " Micrometer excepted); its application.conf is read."})
    List<String> load = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE",
            description = "A HOCON file overriding application.conf (and overridden by -Dflux.… and FLUX_… variables).")
    Path config;

    private ClassLoader loader;

    /** A child-first class loader over the {@code --load} paths (checked), made the thread's context loader. */
    ClassLoader classLoader(CommandSpec spec) {
        if (loader != null) {
            return loader;
        }
        List<URL> urls;
        try {
            urls = ApplicationClasspath.urls(load);
        } catch (ApplicationClasspath.BadEntry e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        loader = urls.isEmpty() ? FluxCli.class.getClassLoader()
                : new ApplicationClassLoader(urls.toArray(URL[]::new), FluxCli.class.getClassLoader());
        Thread.currentThread().setContextClassLoader(loader);
        return loader;
    }

    /** Loads Flux's configuration with the application's class loader, the {@code --config} file and {@code more}. */
    void configure(CommandSpec spec, Consumer<Configurer> more) {
        if (config != null && !Files.isRegularFile(config)) {
            throw new ParameterException(spec.commandLine(), "--config " + config + ": no such file");
        }
        ClassLoader classLoader = classLoader(spec);
        SuperFlux.configure(c -> {
            c.classLoader(classLoader).configFile(config);
            more.accept(c);
        });
    }

    /** Where classes were looked for, for error messages. */
    String searched() {
        return load.isEmpty() ? "flux.jar's classpath (no --load given: add --load app.jar)"
                : "--load " + load + " and flux.jar's classpath";
    }
}
