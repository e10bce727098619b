package io.superflux.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar flux.jar …} as a child process, as users run it from shell scripts, systemd
 * and containers: start it, send it SIGTERM ({@link #terminate}) or SIGKILL ({@link #kill}),
 * wait for its exit code, read its output (stdout and stderr, in a file).
 *
 * <pre>{@code
 * FluxWorkerProcess worker = FluxWorkerProcess.builder(Path.of("flux.jar"))
 *         .env("FLUX_KAFKA_BROKERS", kafka.bootstrapServers())
 *         .args("process", "--load", "app.jar", "--stages", "0", "com.acme.AwesomeTask")
 *         .start();
 * worker.kill();   // as the OOM killer would
 * }</pre>
 */
public final class FluxWorkerProcess implements AutoCloseable {
    private final Process process;
    private final Path output;

    private FluxWorkerProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** A builder for a process running {@code fluxJar}. */
    public static Builder builder(Path fluxJar) {
        return new Builder(fluxJar);
    }

    /** SIGTERM, as systemd and container runtimes send it. */
    public void terminate() {
        process.destroy();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or committed. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the exit and returns the code; throws AssertionError with the output after {@code timeout}. */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("flux did not exit within " + timeout + "; output:\n" + output());
        }
        return process.exitValue();
    }

    /** The exit code; the process must have exited. */
    public int exitCode() {
        return process.exitValue();
    }

    /** Whether it still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Its process id. */
    public long pid() {
        return process.pid();
    }

    /** Everything it printed so far. */
    public String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }

    /**
     * Waits until its output matches {@code pattern} (e.g. a stage's first assignment); throws
     * AssertionError with the output when it exits first or after {@code timeout}.
     */
    public void awaitOutput(java.util.regex.Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!pattern.matcher(output()).find()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("flux " + (process.isAlive() ? "did not print" : "exited before printing")
                        + " /" + pattern + "/ within " + timeout + "; output:\n" + output());
            }
            Thread.sleep(50);
        }
    }

    /** The file its output goes to. */
    public Path outputFile() {
        return output;
    }

    /** Kills it if it still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    /** What to run. */
    public static final class Builder {
        private final Path fluxJar;
        private final List<String> javaOptions = new ArrayList<>(List.of("-Xmx256m"));
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final List<String> args = new ArrayList<>();
        private String stdin;

        private Builder(Path fluxJar) {
            this.fluxJar = Objects.requireNonNull(fluxJar, "fluxJar");
        }

        /** A JVM option (default {@code -Xmx256m}). */
        public Builder javaOption(String option) {
            javaOptions.add(option);
            return this;
        }

        /** A {@code -D} system property. */
        public Builder systemProperty(String name, String value) {
            systemProperties.put(name, value);
            return this;
        }

        /** System properties. */
        public Builder systemProperties(Map<String, String> properties) {
            systemProperties.putAll(properties);
            return this;
        }

        /** An environment variable, on top of this process's environment. */
        public Builder env(String name, String value) {
            environment.put(name, value);
            return this;
        }

        /** Environment variables. */
        public Builder env(Map<String, String> variables) {
            environment.putAll(variables);
            return this;
        }

        /** The command's arguments, e.g. {@code process --stages 0 com.acme.AwesomeTask}. */
        public Builder args(String... args) {
            this.args.addAll(List.of(args));
            return this;
        }

        /** Text for its standard input (closed after it); none by default. */
        public Builder stdin(String text) {
            this.stdin = text;
            return this;
        }

        /** Starts the process. */
        public FluxWorkerProcess start() {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(javaOptions);
            systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
            command.add("-jar");
            command.add(fluxJar.toString());
            command.addAll(args);
            try {
                Path output = Files.createTempFile("flux-process", ".log");
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
                builder.environment().putAll(environment);
                Process process = builder.start();
                if (stdin != null) {
                    process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
                }
                process.getOutputStream().close();
                return new FluxWorkerProcess(process, output);
            } catch (IOException e) {
                throw new UncheckedIOException("could not start " + command, e);
            }
        }
    }
}
