package io.superflux.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
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
 * The application a command works with: {@code --load} jars and class directories (their classes
 * and their {@code application.conf}), and an optional {@code --config} file.
 */
final class ApplicationOptions {
    @Option(names = "--load", paramLabel = "JAR|DIR",
            description = "A jar or class directory of the application (repeatable). Its application.conf is read.")
    List<Path> load = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE",
            description = "A HOCON file overriding application.conf (and overridden by -Dflux.… and FLUX_… variables).")
    Path config;

    private ClassLoader loader;

    /** A class loader over the {@code --load} paths (checked), made the thread's context loader. */
    ClassLoader classLoader(CommandSpec spec) {
        if (loader != null) {
            return loader;
        }
        List<URL> urls = new ArrayList<>();
        for (Path path : load) {
            if (!Files.exists(path)) {
                throw new ParameterException(spec.commandLine(), "--load " + path + ": no such file or directory");
            }
            boolean jar = Files.isRegularFile(path) && path.getFileName().toString().endsWith(".jar");
            if (!jar && !Files.isDirectory(path)) {
                throw new ParameterException(spec.commandLine(), "--load " + path + ": not a jar file (*.jar) or a directory of classes");
            }
            try {
                urls.add(path.toRealPath().toUri().toURL());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        loader = urls.isEmpty() ? FluxCli.class.getClassLoader()
                : new URLClassLoader("flux-application", urls.toArray(URL[]::new), FluxCli.class.getClassLoader());
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
