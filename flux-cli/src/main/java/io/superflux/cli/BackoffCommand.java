package io.superflux.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import io.superflux.SuperFlux;
import io.superflux.retry.Backoff;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code flux backoff}: the retry schedule. */
@Command(name = "backoff", mixinStandardHelpOptions = true,
        description = {"Prints the expected wait before each retry stage and the expected total, from a task's policy",
                "(or the default n⁴ + 15 + r·(n+1) s), times flux.retry.time-scale."})
final class BackoffCommand implements Callable<Integer> {
    @Mixin
    private ApplicationOptions app;

    @Option(names = "--retries", paramLabel = "N", description = "Retry stages to show (default: the task's, or 5).")
    private Integer retries;

    @Option(names = "--tsv", description = "Tab-separated: stage, wait_s, total_s (expected seconds), with a header line.")
    private boolean tsv;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TaskClass", description = "A task whose policy to show.")
    private String taskClass;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        if (retries != null && (retries < 1 || retries > 100)) {
            throw new ParameterException(spec.commandLine(), "--retries " + retries + ": give 1 to 100");
        }
        app.configure(spec, c -> { });
        Backoff backoff = Backoff.standard();
        int stages = TaskSpec.DEFAULT_RETRIES;
        if (taskClass != null) {
            Task<?> task = ClassResolver.task(taskClass, app, spec);
            backoff = task.spec().backoff();
            stages = task.spec().retries();
        }
        if (retries != null) {
            stages = retries;
        }
        double timeScale = SuperFlux.config().retryTimeScale();
        PrintWriter out = spec.commandLine().getOut();
        if (tsv) {
            out.println("stage\twait_s\ttotal_s");
        } else {
            out.printf("%-6s %-15s %s%n", "stage", "expected wait", "expected total");
        }
        for (BackoffTable.Row row : BackoffTable.rows(backoff, stages, timeScale)) {
            if (tsv) {
                out.println(row.stage() + "\t" + BackoffTable.seconds(row.waitSeconds()) + "\t" + BackoffTable.seconds(row.totalSeconds()));
            } else {
                out.printf("%-6d %-15s %s%n", row.stage(), BackoffTable.human(row.waitSeconds()), BackoffTable.human(row.totalSeconds()));
            }
        }
        return 0;
    }
}
