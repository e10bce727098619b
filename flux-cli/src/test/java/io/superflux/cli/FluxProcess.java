package io.superflux.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.superflux.testkit.FluxWorkerProcess;

/** {@code java -jar flux.jar …} as a child process for the end-to-end tests: the testkit's, with this build's jar. */
final class FluxProcess {
    static final Path FLUX_JAR = Path.of(System.getProperty("flux.jar", "target/flux.jar"));
    static final Path TEST_CLASSES = Path.of("target", "test-classes").toAbsolutePath();

    private FluxProcess() {
    }

    /** Starts flux with {@code env} added to the environment and {@code systemProperties} as -D options. */
    static FluxWorkerProcess start(Map<String, String> env, Map<String, String> systemProperties, String stdin, String... args)
            throws IOException {
        Map<String, String> all = new java.util.HashMap<>(Map.of("FLUX_HTTP_PORT", "0")); // several run at once
        all.putAll(env);
        return FluxWorkerProcess.builder(FLUX_JAR).env(all).systemProperties(systemProperties).stdin(stdin).args(args).start();
    }

    /** Runs flux to completion (at most two minutes). */
    static FluxWorkerProcess run(Map<String, String> env, Map<String, String> systemProperties, String stdin, String... args)
            throws IOException, InterruptedException {
        FluxWorkerProcess flux = start(env, systemProperties, stdin, args);
        flux.waitFor(Duration.ofMinutes(2));
        return flux;
    }
}
