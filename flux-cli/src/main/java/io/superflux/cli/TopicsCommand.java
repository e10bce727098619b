package io.superflux.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import io.superflux.SuperFlux;
import io.superflux.internal.topics.TaskTopics;
import io.superflux.internal.topics.TopicPlan;
import io.superflux.retry.Stage;
import io.superflux.task.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code flux topics plan|create|describe}: a task's stage topics. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Plans, creates (or fixes) and describes the stage topics of a task.",
        subcommands = {TopicsCommand.Plan.class, TopicsCommand.Create.class, TopicsCommand.Describe.class})
final class TopicsCommand implements Callable<Integer> {
    /** Exit code of {@code topics plan --detailed-exitcode} when changes are pending. */
    static final int CHANGES_PENDING = 2;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: plan, create or describe");
    }

    /** The task, with the configuration its --config and --load give in force. */
    private static Task<?> configuredTask(String taskClass, ApplicationOptions app, CommandSpec spec) {
        app.configure(spec, c -> { });
        return ClassResolver.task(taskClass, app, spec);
    }

    /** {@code flux topics plan}. */
    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = {"Shows what 'topics create' would create or change: missing stage topics, partitions,",
                    "replication, and retention too short for a stage's longest wait. Changes nothing."})
    static final class Plan implements Callable<Integer> {
        @Mixin
        private ApplicationOptions app;

        @Option(names = "--detailed-exitcode",
                description = "Exit 0 when nothing is to be done, 2 when changes are pending (1 on errors).")
        private boolean detailedExitCode;

        @Parameters(index = "0", paramLabel = "TaskClass")
        private String taskClass;

        @Spec
        private CommandSpec spec;

        @Override
        public Integer call() {
            Task<?> task = configuredTask(taskClass, app, spec);
            TopicPlan plan = TaskTopics.plan(task, SuperFlux.config(), null);
            TopicPlanPrinter.print(plan, spec.commandLine().getOut(), false);
            return detailedExitCode && !plan.upToDate() ? CHANGES_PENDING : 0;
        }
    }

    /** {@code flux topics create}. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Creates every missing stage topic of a task with the input topic's partition count, and",
                    "fixes existing ones (partitions, retention, configs) as 'topics plan' shows.",
                    "A missing input topic is created too when --partitions is given."})
    static final class Create implements Callable<Integer> {
        @Mixin
        private ApplicationOptions app;

        @Option(names = "--partitions", paramLabel = "N", description = "Partitions of the input topic, if it must be created.")
        private Integer partitions;

        @Parameters(index = "0", paramLabel = "TaskClass")
        private String taskClass;

        @Spec
        private CommandSpec spec;

        @Override
        public Integer call() {
            if (partitions != null && partitions < 1) {
                throw new ParameterException(spec.commandLine(), "--partitions " + partitions + ": give 1 or more");
            }
            Task<?> task = configuredTask(taskClass, app, spec);
            TopicPlan done = TaskTopics.apply(task, SuperFlux.config(), partitions);
            PrintWriter out = spec.commandLine().getOut();
            TopicPlanPrinter.print(done, out, true);
            out.printf("%n%-6s %-50s %s%n", "STAGE", "TOPIC", "PARTITIONS");
            for (Stage stage : task.spec().plan().stages()) {
                out.printf("%-6d %-50s %d%n", stage.number(), stage.topic(), done.inputPartitions());
            }
            return 0;
        }
    }

    /** {@code flux topics describe}. */
    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Shows each stage's topic, group, partitions, messages and group lag.")
    static final class Describe implements Callable<Integer> {
        @Mixin
        private ApplicationOptions app;

        @Parameters(index = "0", paramLabel = "TaskClass")
        private String taskClass;

        @Spec
        private CommandSpec spec;

        @Override
        public Integer call() {
            Task<?> task = configuredTask(taskClass, app, spec);
            List<TaskTopics.StageStatus> statuses = TaskTopics.describe(task, SuperFlux.config());
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-6s %-11s %-45s %-25s %10s %10s %8s%n", "STAGE", "KIND", "TOPIC", "GROUP", "PARTITIONS", "MESSAGES", "LAG");
            for (TaskTopics.StageStatus status : statuses) {
                Stage stage = status.stage();
                out.printf("%-6d %-11s %-45s %-25s %10s %10d %8s%n", stage.number(),
                        stage.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), stage.topic(), stage.group(),
                        status.partitions() == 0 ? "missing" : Integer.toString(status.partitions()), status.messages(),
                        status.lag() == TaskTopics.StageStatus.NO_COMMITS ? "-" : Long.toString(status.lag()));
            }
            if (task.spec().keyOrder().isPresent()) {
                describeHeldKeys(task, out);
            }
            return 0;
        }
    }

    /** Ordered retries: how many keys the order topic holds, and the oldest of them. */
    private static void describeHeldKeys(Task<?> task, PrintWriter out) {
        List<io.superflux.internal.stage.order.HeldKeys.Held> held = OrderTopicAccess.held(task, SuperFlux.config());
        int parked = held.stream().mapToInt(io.superflux.internal.stage.order.HeldKeys.Held::parked).sum();
        out.printf("%nordered retries (%s): %d key(s) held, %d record(s) parked%n", OrderTopicAccess.topic(task), held.size(),
                parked);
        if (!held.isEmpty()) {
            out.printf("%-9s %-30s %12s %-24s %7s %s%n", "PARTITION", "KEY", "LEADER", "HELD SINCE", "PARKED", "STATE");
            for (io.superflux.internal.stage.order.HeldKeys.Held one : held.subList(0, Math.min(20, held.size()))) {
                out.printf("%-9d %-30s %12d %-24s %7d %s%n", one.partition(), OrderTopicAccess.text(one.key()), one.leader(),
                        java.time.Instant.ofEpochMilli(one.since()), one.parked(), one.leaderDone() ? "releasing" : "in the chain");
            }
            if (held.size() > 20) {
                out.printf("… and %d more (oldest first)%n", held.size() - 20);
            }
        }
    }
}
