package io.superflux.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.superflux.FluxConfig;
import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.retry.StageSelection;
import io.superflux.task.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code flux process}: runs stages of a task until SIGTERM/SIGINT. */
@Command(name = "process", mixinStandardHelpOptions = true,
        description = {"Runs stages of a task, one thread and consumer per stage, until SIGTERM or SIGINT.",
                "Exit 0 after a signal-driven shutdown (offsets committed), 1 on a runtime error, 2 on a usage error."})
final class ProcessCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ProcessCommand.class);

    @Mixin
    private ApplicationOptions app;

    @Option(names = "--stages", paramLabel = "STAGES", defaultValue = "all",
            description = "all (default), a stage (0), a range (1-6) or a list (0,2-4); 0 is the main stage, N+1 the dead letters.")
    private String stages;

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION",
            description = "How long a stop waits for the records in hand, e.g. 30s (default: flux.shutdown-timeout).")
    private String shutdownTimeout;

    /** Read and checked before logback starts ({@link LogFormat}); declared here for --help. */
    @Option(names = LogFormat.OPTION, paramLabel = "FORMAT",
            description = "plain (default) or json: one JSON object per line, with task, stage, topic, partition, offset and"
                    + " key of the record in hand (default: FLUX_LOG_FORMAT).")
    private String logFormat;

    @Option(names = "--http-port", paramLabel = "PORT",
            description = "Port of the HTTP endpoint (/metrics, /health/live, /health/ready); 0 turns it off (default: flux.http.port, 9400).")
    private Integer httpPort;

    @Option(names = "--instance-id", paramLabel = "ID",
            description = "Static group membership: unique per process, kept across restarts (host, systemd instance or pod"
                    + " name); a restarted process gets its partitions back at once (default: flux.consumer.instance-id,"
                    + " FLUX_INSTANCE_ID; none: dynamic membership).")
    private String instanceId;

    @Parameters(arity = "1..*", paramLabel = "TaskClass[:STAGES]",
            description = "The tasks' fully qualified class names, each run with --stages or with its own after a colon"
                    + " (com.acme.A:0 com.acme.B:1-4): one process, one endpoint; a failing stage of any task stops them all.")
    private List<String> taskArguments;

    @Spec
    private CommandSpec spec;

    /** A task and the stages to run. */
    private record Selected(String className, Task<?> task, String stages) {
    }

    @Override
    public Integer call() throws InterruptedException {
        app.configure(spec, c -> {
            if (httpPort != null) {
                c.set("flux.http.port", httpPort);
            }
            if (shutdownTimeout != null) {
                c.set("flux.shutdown-timeout", shutdownTimeout);
            }
            if (instanceId != null) {
                c.set("flux.consumer.instance-id", instanceId);
            }
        });
        List<Selected> selected = selectTasks(); // after the configuration: a task's factory method reads it
        FluxConfig config = SuperFlux.config();
        StopSignals signals = StopSignals.install();
        for (Selected task : selected) {
            log.info("flux process {} --stages {} on cluster '{}' ({})", task.className(), task.stages(),
                    task.task().spec().cluster(), config.cluster(task.task().spec().cluster()).bootstrapServers());
        }
        if (config.http().enabled()) {
            SuperFlux.startHttpEndpoint(); // before the stages: /health/ready is 503 until they joined their groups
        }
        List<Worker> workers = new ArrayList<>();
        try {
            for (Selected task : selected) {
                workers.add(SuperFlux.start(task.task(), task.stages()));
            }
        } catch (RuntimeException e) {
            SuperFlux.shutdown(); // the tasks already started stop cleanly before the error is reported
            throw e;
        }
        boolean signalled = false;
        while (workers.stream().allMatch(Worker::isRunning)) {
            if (signals.await(200)) {
                signalled = true;
                break;
            }
        }
        SuperFlux.shutdown(); // stops every worker (graceful) and flushes producers the tasks used
        for (Worker worker : workers) {
            if (worker.failure().isPresent()) {
                Throwable failure = worker.failure().get();
                // The message names the stage, the error and, where an operator can fix it, what to do.
                spec.commandLine().getErr().println("flux: error: " + (failure.getMessage() != null ? failure.getMessage() : failure));
                return FluxCli.RUNTIME_ERROR;
            }
        }
        log.info("flux process {} stopped{}", selected.stream().map(Selected::className).toList(),
                signalled ? " after a signal; offsets committed" : "");
        return 0;
    }

    /** Each argument's task and stages; a task given twice is a usage error. */
    private List<Selected> selectTasks() {
        List<Selected> selected = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String argument : taskArguments) {
            int colon = argument.indexOf(':');
            String className = colon < 0 ? argument : argument.substring(0, colon);
            String taskStages = colon < 0 ? stages : argument.substring(colon + 1);
            if (!seen.add(className)) {
                throw new ParameterException(spec.commandLine(), className + " is given twice: run each task once (give"
                        + " its stages as " + className + ":STAGES)");
            }
            Task<?> task = ClassResolver.task(className, app, spec);
            try {
                StageSelection.parse(taskStages, task.spec().plan());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), (colon < 0 ? "" : argument + ": ") + e.getMessage());
            }
            selected.add(new Selected(className, task, taskStages));
        }
        return selected;
    }
}
