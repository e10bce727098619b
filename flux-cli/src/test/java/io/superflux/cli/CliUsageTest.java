package io.superflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.superflux.SuperFlux;

/** Every usage error: a one-line message naming the problem, and exit code 2. Run in-process. */
class CliUsageTest {
    private static final String EXAMPLES = System.getProperty("examples.jar");

    /** What a run printed and returned. */
    record Run(int code, String out, String err) {
    }

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = FluxCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    static void assertUsageError(Run run, String... fragments) {
        assertEquals(2, run.code(), run.err());
        for (String fragment : fragments) {
            assertTrue(run.err().contains(fragment), () -> "expected «" + fragment + "» in:\n" + run.err());
        }
    }

    @Test
    void unknownSubcommandAndOption() {
        assertUsageError(run("proces", "com.acme.AwesomeTask"), "Unmatched argument", "proces", "Did you mean");
        Run unknownOption = run("process", "--stage", "0", "com.acme.AwesomeTask");
        assertUsageError(unknownOption, "Unknown option: '--stage'", "Possible solutions: --stages");
        assertUsageError(run(), "Missing subcommand");
        assertUsageError(run("topics"), "Missing subcommand: plan, create or describe");
        assertUsageError(run("process"), "Missing required parameter: 'TaskClass[:STAGES]'");
    }

    @Test
    void stagesOutOfRangeReversedOrMalformed() {
        assertUsageError(run("process", "--load", EXAMPLES, "--stages", "7", "com.acme.AwesomeTask"),
                "--stages '7': stage 7 is out of range; stages are 0..6 (0 = main, 1-5 = retries, 6 = dead letter)");
        assertUsageError(run("process", "--load", EXAMPLES, "--stages", "4-2", "com.acme.AwesomeTask"), "range 4-2 is reversed");
        assertUsageError(run("process", "--load", EXAMPLES, "--stages", "one", "com.acme.AwesomeTask"),
                "'one' is not a stage number or range");
    }

    @Test
    void loadPathMissingOrNotAJarOrDirectory(@TempDir Path dir) throws Exception {
        assertUsageError(run("process", "--load", dir.resolve("missing.jar").toString(), "com.acme.AwesomeTask"),
                "--load " + dir.resolve("missing.jar") + ": no such file or directory");
        Path text = Files.writeString(dir.resolve("notes.txt"), "not a jar");
        assertUsageError(run("process", "--load", text.toString(), "com.acme.AwesomeTask"),
                "notes.txt: not a jar file (*.jar) or a directory of classes");
    }

    @Test
    void taskClassNotFoundSaysWhereItLooked() {
        assertUsageError(run("process", "--load", EXAMPLES, "com.acme.Nope"),
                "Class com.acme.Nope not found in --load [" + EXAMPLES + "] and flux.jar's classpath");
        assertUsageError(run("process", "com.acme.Nope"), "no --load given: add --load app.jar");
    }

    @Test
    void classThatIsNotATaskOrIncompleteTasks() {
        assertUsageError(run("process", "--load", EXAMPLES, "com.acme.AwesomeProducer"),
                "com.acme.AwesomeProducer is not a task: it must extend io.superflux.task.Task");
        assertUsageError(run("process", "io.superflux.cli.testapp.NoGroupTask"),
                "Task io.superflux.cli.testapp.NoGroupTask is incomplete", "declares no consumer group");
        assertUsageError(run("process", "io.superflux.cli.testapp.NoTopicTask"),
                "io.superflux.cli.testapp.NoTopicTask cannot be created: its constructor threw IllegalArgumentException: the"
                        + " task's topic is missing");
        assertUsageError(run("process", "io.superflux.cli.testapp.UncreatableTasks$NeedsItsDatabase"),
                "io.superflux.cli.testapp.UncreatableTasks$NeedsItsDatabase cannot be created: it needs a public static"
                        + " create(TaskContext) method returning the task, or a public no-argument constructor");
        assertUsageError(run("process", "io.superflux.cli.testapp.UncreatableTasks$FactoryNotStatic"),
                "io.superflux.cli.testapp.UncreatableTasks$FactoryNotStatic.create(TaskContext) is not a factory method:"
                        + " make it public static and return the task");
        assertUsageError(run("process", "io.superflux.cli.testapp.UncreatableTasks$FactoryThrows"),
                "io.superflux.cli.testapp.UncreatableTasks$FactoryThrows cannot be created: create(TaskContext) threw"
                        + " IllegalStateException: TaskContext.stages() is not known in FactoryThrows's factory method");
        assertUsageError(run("produce", "--load", EXAMPLES, "com.acme.AwesomeTask", "x"),
                "com.acme.AwesomeTask is not a producer");
    }

    @Test
    void produceArgumentErrors() {
        assertUsageError(run("produce", "value"), "Class value not found");
        assertUsageError(run("produce"), "Give --topic TOPIC or a producer class");
        assertUsageError(run("produce", "--topic", "t", "--header", "novalue", "v"), "--header 'novalue': write NAME=VALUE");
        assertUsageError(run("produce", "--topic", "bad topic!", "v"), "--topic: Invalid topic name 'bad topic!'");
    }

    @Test
    void newProjectArguments(@TempDir Path dir) throws Exception {
        assertUsageError(run("new", "com.acme"), "flux new 'com.acme': give GROUP:ARTIFACT, e.g. com.acme:orders");
        assertUsageError(run("new", "Com.Acme:orders"), "flux new group 'Com.Acme': give lower-case words joined by dots");
        assertUsageError(run("new", "com.acme:Orders_Sink"), "flux new artifact 'Orders_Sink': give lower-case words joined"
                + " by dashes");
        assertUsageError(run("new", "com.acme:orders", "--package", "com.acme.Orders"), "flux new --package"
                + " 'com.acme.Orders': give a Java package");
        Files.writeString(dir.resolve("notes.txt"), "taken");
        assertUsageError(run("new", "com.acme:orders", "--dir", dir.toString()), "flux new --dir " + dir
                + ": exists and is not an empty directory");
        Run made = run("new", "com.acme:order-sink", "--dir", dir.resolve("sink").toString());
        assertEquals(0, made.code(), made.err());
        assertTrue(made.out().contains("task com.acme.ordersink.OrderSinkTask"), made.out());
        assertTrue(Files.readString(dir.resolve("sink/src/main/java/com/acme/ordersink/OrderSinkTask.java"))
                .contains("public class OrderSinkTask extends Task<String>"));
    }

    @Test
    void otherCommandArguments() {
        assertUsageError(run("dlq", "replay", "--load", EXAMPLES, "--to-stage", "6", "com.acme.AwesomeTask"),
                "--to-stage 6: give a stage from 0 to 5 (6 is the dead-letter stage itself)");
        assertUsageError(run("dlq", "show", "--load", EXAMPLES, "--offset", "7", "com.acme.AwesomeTask"),
                "--offset 7 needs --partition");
        assertUsageError(run("dlq", "stats", "--load", EXAMPLES, "--since", "last tuesday", "com.acme.AwesomeTask"),
                "--since last tuesday: give an instant (2026-11-30T08:00:00Z), a date (2026-11-30) or an age (90m, 12h, 7d)");
        assertUsageError(run("dlq", "replay", "--load", EXAMPLES, "--since", "1d", "--until", "2d", "com.acme.AwesomeTask"),
                "--since 1d is not before --until 2d");
        assertUsageError(run("dlq", "replay", "--load", EXAMPLES, "--max-replays", "0", "com.acme.AwesomeTask"),
                "--max-replays 0: give 1 or more");
        assertUsageError(run("dlq", "show", "--load", EXAMPLES, "--limit", "0", "com.acme.AwesomeTask"),
                "--limit 0: give 1 or more");
        assertUsageError(run("dlq"), "Missing subcommand: show, stats, replay or release");
        assertUsageError(run("backoff", "--retries", "0"), "--retries 0: give 1 to 100");
        assertUsageError(run("topics", "create", "--partitions", "0", "com.acme.AwesomeTask"), "--partitions 0: give 1 or more");
    }

    @Test
    void configurationErrorsAreUsageErrors(@TempDir Path dir) throws Exception {
        assertUsageError(run("backoff", "--config", dir.resolve("none.conf").toString()), "--config", "none.conf: no such file");
        Path conf = Files.writeString(dir.resolve("bad.conf"), "flux.producer.compression-codec = brotli\n");
        Run run = run("backoff", "--config", conf.toString());
        assertUsageError(run, "configuration error", "flux.producer.compression-codec", "\"brotli\"", "none, gzip, snappy, lz4, zstd");
    }

    @Test
    void helpAndVersionSucceed() {
        Run help = run("process", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--stages=STAGES"), help.out());
        Run version = run("version");
        assertEquals(0, version.code());
        assertTrue(version.out().startsWith("flux "), version.out());
    }
}
