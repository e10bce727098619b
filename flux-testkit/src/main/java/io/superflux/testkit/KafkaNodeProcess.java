package io.superflux.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.slf4j.LoggerFactory;

/**
 * One node of a {@link KafkaCluster}: its ports and files, and the child process running it —
 * started, awaited until it serves, stopped or killed — with the file and port helpers the
 * cluster's nodes need. Thread-safe.
 */
final class KafkaNodeProcess {
    private static final String READY = "Kafka Server started";

    final int id;
    final int clientPort;
    final int internalPort;
    final int controllerPort;
    final Path properties;
    final Path logFile;
    private Process process;
    private long logOffsetAtStart;

    KafkaNodeProcess(int id, int clientPort, int internalPort, int controllerPort, Path properties, Path logFile) {
        this.id = id;
        this.clientPort = clientPort;
        this.internalPort = internalPort;
        this.controllerPort = controllerPort;
        this.properties = properties;
        this.logFile = logFile;
    }

    synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Runs {@code command}, its output appended to the node's log. */
    synchronized void launch(List<String> command) {
        try {
            logOffsetAtStart = Files.exists(logFile) ? Files.size(logFile) : 0;
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start Kafka node " + id, e);
        }
    }

    /** Sends {@code signal} to the process, if there is one, and waits until it ended; true if there was one. */
    synchronized boolean end(Consumer<Process> signal, Duration timeout) {
        if (process == null) {
            return false;
        }
        signal.accept(process);
        waitFor(process, timeout);
        return true;
    }

    /**
     * Waits until the node says it started since its launch, before {@code deadlineNanos}.
     *
     * @throws IllegalStateException with the end of its log if it exited or did not start in time
     */
    void awaitStarted(long deadlineNanos, Duration startTimeout) {
        while (!startedSinceLaunch()) {
            Process running;
            synchronized (this) {
                running = process;
            }
            if (!running.isAlive()) {
                throw new IllegalStateException("Kafka node " + id + " exited with " + running.exitValue() + "; its log: "
                        + logFile + "\n" + tail());
            }
            if (System.nanoTime() > deadlineNanos) {
                throw new IllegalStateException("Kafka node " + id + " did not start within " + startTimeout + "; its log: "
                        + logFile + "\n" + tail());
            }
            ClusterClient.sleep(100);
        }
    }

    private boolean startedSinceLaunch() {
        try {
            if (!Files.exists(logFile)) {
                return false;
            }
            byte[] all = Files.readAllBytes(logFile);
            long from;
            synchronized (this) {
                from = logOffsetAtStart;
            }
            return new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from),
                    StandardCharsets.UTF_8).contains(READY);
        } catch (IOException e) {
            return false;
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Waits up to {@code timeout} for {@code process} to end, then kills it. */
    static void waitFor(Process process, Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A port free on this host now. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes {@code directory} and everything in it; what cannot be deleted is logged. */
    static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            LoggerFactory.getLogger(KafkaCluster.class).warn("could not delete {}: {}", directory, e.toString());
        }
    }

    /** The nodes' logback configuration: warnings, and the line that says a node started. */
    static final String LOGBACK = """
            <configuration>
              <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{30} - %msg%n</pattern></encoder>
              </appender>
              <logger name="kafka.server.KafkaRaftServer" level="INFO"/>
              <root level="WARN"><appender-ref ref="OUT"/></root>
            </configuration>
            """;
}
