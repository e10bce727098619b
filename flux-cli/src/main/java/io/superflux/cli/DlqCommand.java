package io.superflux.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import io.superflux.SuperFlux;
import io.superflux.retry.StagePlan;
import io.superflux.task.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code flux dlq show | stats | replay | release}: a task's dead letters, and the keys they hold. */
@Command(name = "dlq", mixinStandardHelpOptions = true, description = "Works with a task's dead letters.",
        subcommands = {DlqCommand.Show.class, DlqCommand.Stats.class, DlqCommand.Replay.class, DlqCommand.Release.class})
final class DlqCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: show, stats, replay or release");
    }

    /** What every subcommand takes: the application, the task class and the filters. */
    abstract static class DeadLetterCommand implements Callable<Integer> {
        @Mixin
        ApplicationOptions app;

        @Mixin
        DeadLetterFilterOptions filters;

        @Parameters(index = "0", paramLabel = "TaskClass")
        String taskClass;

        @Spec
        CommandSpec spec;

        Task<?> task;
        StagePlan plan;
        DeadLetterFilter filter;

        /** Checks the filters, configures Flux and loads the task. */
        void prepare(Instant now) {
            filter = filters.filter(spec, now);
            app.configure(spec, c -> { }); // before the task: its factory method may read the configuration
            task = ClassResolver.task(taskClass, app, spec);
            plan = task.spec().plan();
        }

        /** A scan of the dead-letter topic that commits nothing. */
        DeadLetterScan scan() {
            return new DeadLetterScan(SuperFlux.config(), task.spec().cluster(), plan.stage(plan.deadLetterStage()).topic(),
                    plan.group() + "-dlq-reader");
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    /** {@code flux dlq show}. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"Shows dead letters, oldest first per partition: key, origin, age, failure history.",
                    "Reads the dead-letter topic without a consumer group: nothing is committed or moved."})
    static final class Show extends DeadLetterCommand {
        @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "Show at most N (default 100).")
        private long limit;

        @Option(names = "--json", description = "One JSON object per line.")
        private boolean json;

        @Override
        public Integer call() {
            if (limit < 1) {
                throw new ParameterException(spec.commandLine(), "--limit " + limit + ": give 1 or more");
            }
            Instant now = Instant.now();
            prepare(now);
            long[] counts = {0, 0}; // shown, matching
            try (DeadLetterScan scan = scan()) {
                scan.read(Map.of(), record -> {
                    DeadLetter letter = DeadLetter.of(record);
                    if (filter.matches(letter)) {
                        counts[1]++;
                        if (counts[0] < limit) {
                            counts[0]++;
                            out().print(json ? DeadLetterText.json(letter, now) + "\n" : DeadLetterText.text(letter, now));
                        }
                    }
                    return true;
                });
            }
            if (!json) {
                out().println(counts[0] + " of " + counts[1] + " dead letter(s) shown (" + filter.describe() + ")"
                        + (counts[1] > counts[0] ? "; --limit shows more" : ""));
            }
            out().flush();
            return 0;
        }
    }

    /** {@code flux dlq stats}. */
    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = "Counts dead letters by the class of their last failure and by the day (UTC) they were dead-lettered.")
    static final class Stats extends DeadLetterCommand {
        @Override
        public Integer call() {
            prepare(Instant.now());
            Map<String, Long> byException = new TreeMap<>();
            Map<LocalDate, Long> byDay = new TreeMap<>();
            long[] total = {0};
            try (DeadLetterScan scan = scan()) {
                scan.read(Map.of(), record -> {
                    DeadLetter letter = DeadLetter.of(record);
                    if (filter.matches(letter)) {
                        total[0]++;
                        byException.merge(letter.exceptionClass().isEmpty() ? "(none)" : letter.exceptionClass(), 1L, Long::sum);
                        byDay.merge(LocalDate.ofInstant(letter.deadLetteredAt(), ZoneOffset.UTC), 1L, Long::sum);
                    }
                    return true;
                });
            }
            out().println(total[0] + " dead letter(s) in " + plan.stage(plan.deadLetterStage()).topic() + " ("
                    + filter.describe() + ")");
            out().println();
            out().println("by exception:");
            byException.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                    .forEach(entry -> out().printf("  %10d  %s%n", entry.getValue(), entry.getKey()));
            out().println();
            out().println("by day (UTC):");
            byDay.forEach((day, count) -> out().printf("  %10d  %s%n", count, day));
            out().flush();
            return 0;
        }
    }

    /** {@code flux dlq replay}. */
    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = {"Moves dead letters back to a stage (default 0): produce, then commit, so nothing is lost.",
                    "Key, value and application headers are kept; Flux's failure headers are cleared and flux-replays"
                            + " counts the replays.",
                    "Progress is kept by the group <group>-replay, so each dead letter is replayed once; one no filter"
                            + " took stays for a later replay."})
    static final class Replay extends DeadLetterCommand {
        @Option(names = "--to-stage", paramLabel = "N", defaultValue = "0", description = "The stage to replay to (0..N).")
        private int toStage;

        @Option(names = "--limit", paramLabel = "N", description = "Replay at most N dead letters.")
        private Long limit;

        @Option(names = "--max-replays", paramLabel = "N", defaultValue = "3",
                description = "Skip (and list) dead letters replayed N times already (default 3).")
        private int maxReplays;

        @Option(names = "--dry-run", description = "Count what would be replayed; produce and commit nothing.")
        private boolean dryRun;

        @Override
        public Integer call() {
            if (limit != null && limit < 1) {
                throw new ParameterException(spec.commandLine(), "--limit " + limit + ": give 1 or more");
            }
            if (maxReplays < 1) {
                throw new ParameterException(spec.commandLine(), "--max-replays " + maxReplays + ": give 1 or more");
            }
            prepare(Instant.now());
            if (toStage < 0 || toStage > plan.retries()) {
                throw new ParameterException(spec.commandLine(), "--to-stage " + toStage + ": give a stage from 0 to "
                        + plan.retries() + " (" + plan.deadLetterStage() + " is the dead-letter stage itself)");
            }
            DeadLetterReplay.Result result = new DeadLetterReplay(SuperFlux.config(), plan, task.spec().cluster())
                    .replay(toStage, limit == null ? Long.MAX_VALUE : limit, dryRun, filter, maxReplays);
            out().println((dryRun ? "Would replay " : "Replayed ") + result.replayed()
                    + " dead letter(s) from " + result.from() + " to stage " + toStage + " (" + result.to() + ")"
                    + (filter.any() ? " matching " + filter.describe() : "")
                    + (dryRun ? "" : "; progress committed for group " + result.group()));
            if (!result.overReplayed().isEmpty()) {
                out().println("Skipped " + result.overReplayed().size() + " dead letter(s) replayed " + maxReplays
                        + " times or more (--max-replays): " + String.join(", ", result.overReplayed()));
            }
            if (result.metadataFull()) {
                out().println("Stopped early: the replays of scattered dead letters no longer fit in the group's commit;"
                        + " run a replay without filters (or with --limit) to move past them, then again");
            }
            out().flush();
            if (result.failed() > 0) {
                spec.commandLine().getErr().println("flux: error: " + result.failed()
                        + " dead letter(s) could not be produced; they stay in " + result.from() + " for the next replay");
                return FluxCli.RUNTIME_ERROR;
            }
            return 0;
        }
    }

    /** {@code flux dlq release --key}. */
    @Command(name = "release", mixinStandardHelpOptions = true,
            description = {"Ordered retries: lets a held key go on without its dead-lettered (or stuck) record.",
                    "Its leader counts as done; the records parked behind it are called in their order."})
    static final class Release implements Callable<Integer> {
        @Mixin
        private ApplicationOptions app;

        @Option(names = "--key", required = true, paramLabel = "KEY", description = "The held key (as UTF-8 text).")
        private String key;

        @Parameters(index = "0", paramLabel = "TaskClass")
        private String taskClass;

        @Spec
        private CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            app.configure(spec, c -> { });
            Task<?> task = ClassResolver.task(taskClass, app, spec);
            if (task.spec().keyOrder().isEmpty()) {
                throw new ParameterException(spec.commandLine(), taskClass + " does not declare keyOrder: it holds no keys");
            }
            java.util.List<io.superflux.internal.stage.order.HeldKeys.Held> held = OrderTopicAccess.held(task, SuperFlux.config())
                    .stream().filter(h -> OrderTopicAccess.text(h.key()).equals(key)).toList();
            if (held.isEmpty()) {
                spec.commandLine().getErr().println("flux: error: key '" + key + "' is not held by " + taskClass
                        + " (flux topics describe lists the held keys)");
                return FluxCli.RUNTIME_ERROR;
            }
            for (io.superflux.internal.stage.order.HeldKeys.Held one : held) {
                OrderTopicAccess.release(task, SuperFlux.config(), one);
                spec.commandLine().getOut().println("Released key '" + key + "' (partition " + one.partition() + ", held by the"
                        + " record at offset " + one.leader() + " since " + Instant.ofEpochMilli(one.since()) + "): " + one.parked()
                        + " parked record(s) go on in their order");
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
