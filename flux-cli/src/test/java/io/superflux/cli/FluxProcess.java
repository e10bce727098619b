package io.superflux.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code java -jar flux.jar …} as a child process, its output in a file. */
final class FluxProcess {
    static final Path FLUX_JAR = Path.of(System.getProperty("flux.jar", "target/flux.jar"));
    static final Path TEST_CLASSES = Path.of("target", "test-classes").toAbsolutePath();

    private final Process process;
    private final Path output;

    private FluxProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Starts flux with {@code env} added to the environment and {@code systemProperties} as -D options. */
    static FluxProcess start(Map<String, String> env, Map<String, String> systemProperties, String stdin, String... args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.add("-Xmx256m");
        systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(FLUX_JAR.toString());
        command.addAll(List.of(args));
        Path output = Files.createTempFile("flux-process", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (stdin != null) {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        return new FluxProcess(process, output);
    }

    /** Runs flux to completion (at most two minutes) and returns its exit code. */
    static FluxProcess run(Map<String, String> env, Map<String, String> systemProperties, String stdin, String... args)
            throws IOException, InterruptedException {
        FluxProcess flux = start(env, systemProperties, stdin, args);
        flux.waitFor(Duration.ofMinutes(2));
        return flux;
    }

    /** SIGTERM, as systemd and container runtimes send it. */
    void terminate() {
        process.destroy();
    }

    /** Waits for the exit; fails the test after {@code timeout}. */
    int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("flux did not exit within " + timeout + "; output:\n" + output());
        }
        return process.exitValue();
    }

    int exitCode() {
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }
}
