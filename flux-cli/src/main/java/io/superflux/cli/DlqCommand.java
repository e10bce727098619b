package io.superflux.cli;

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

/** {@code flux dlq replay}: dead letters back to a stage. */
@Command(name = "dlq", mixinStandardHelpOptions = true, description = "Works with a task's dead letters.",
        subcommands = DlqCommand.Replay.class)
final class DlqCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: replay");
    }

    /** {@code flux dlq replay}. */
    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = {"Moves dead letters back to a stage (default 0): produce, then commit, so nothing is lost.",
                    "Key, value and application headers are kept; Flux's failure headers are cleared.",
                    "Progress is kept by the group <group>-replay, so each dead letter is replayed once."})
    static final class Replay implements Callable<Integer> {
        @Mixin
        private ApplicationOptions app;

        @Option(names = "--to-stage", paramLabel = "N", defaultValue = "0", description = "The stage to replay to (0..N).")
        private int toStage;

        @Option(names = "--limit", paramLabel = "N", description = "Replay at most N dead letters.")
        private Long limit;

        @Option(names = "--dry-run", description = "Count what would be replayed; produce and commit nothing.")
        private boolean dryRun;

        @Parameters(index = "0", paramLabel = "TaskClass")
        private String taskClass;

        @Spec
        private CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            if (limit != null && limit < 1) {
                throw new ParameterException(spec.commandLine(), "--limit " + limit + ": give 1 or more");
            }
            Task<?> task = ClassResolver.task(taskClass, app, spec);
            StagePlan plan = task.spec().plan();
            if (toStage < 0 || toStage > plan.retries()) {
                throw new ParameterException(spec.commandLine(), "--to-stage " + toStage + ": give a stage from 0 to "
                        + plan.retries() + " (" + plan.deadLetterStage() + " is the dead-letter stage itself)");
            }
            app.configure(spec, c -> { });
            DeadLetterReplay.Result result = new DeadLetterReplay(SuperFlux.config(), plan, task.spec().cluster())
                    .replay(toStage, limit == null ? Long.MAX_VALUE : limit, dryRun);
            spec.commandLine().getOut().println((dryRun ? "Would replay " : "Replayed ") + result.replayed()
                    + " dead letter(s) from " + result.from() + " to stage " + toStage + " (" + result.to() + ")"
                    + (dryRun ? "" : "; progress committed for group " + result.group()));
            if (result.failed() > 0) {
                spec.commandLine().getErr().println("flux: error: " + result.failed()
                        + " dead letter(s) could not be produced; they stay in " + result.from() + " for the next replay");
                return FluxCli.RUNTIME_ERROR;
            }
            return 0;
        }
    }
}
