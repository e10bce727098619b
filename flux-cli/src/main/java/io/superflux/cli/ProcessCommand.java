package io.superflux.cli;

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

    /** Read before logback starts ({@link LogFormat}); declared here for --help and validation. */
    @Option(names = LogFormat.OPTION, paramLabel = "FORMAT",
            description = "plain (default) or json: one JSON object per line, with task, stage, topic, partition, offset and"
                    + " key of the record in hand (default: FLUX_LOG_FORMAT).")
    private LogFormatName logFormat;

    /** The formats {@code --log-format} accepts. */
    enum LogFormatName { plain, json }

    @Option(names = "--http-port", paramLabel = "PORT",
            description = "Port of the HTTP endpoint (/metrics, /health/live, /health/ready); 0 turns it off (default: flux.http.port, 9400).")
    private Integer httpPort;

    @Parameters(index = "0", paramLabel = "TaskClass", description = "The task's fully qualified class name.")
    private String taskClass;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        Task<?> task = ClassResolver.task(taskClass, app, spec);
        try {
            StageSelection.parse(stages, task.spec().plan());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        app.configure(spec, c -> {
            if (httpPort != null) {
                c.set("flux.http.port", httpPort);
            }
            if (shutdownTimeout != null) {
                c.set("flux.shutdown-timeout", shutdownTimeout);
            }
        });
        FluxConfig config = SuperFlux.config();
        StopSignals signals = StopSignals.install();
        log.info("flux process {} --stages {} on cluster '{}' ({})", taskClass, stages, task.spec().cluster(),
                config.cluster(task.spec().cluster()).bootstrapServers());
        if (config.http().enabled()) {
            SuperFlux.startHttpEndpoint(); // before the stages: /health/ready is 503 until they joined their groups
        }
        Worker worker = SuperFlux.start(task, stages);
        boolean signalled = false;
        while (worker.isRunning()) {
            if (signals.await(200)) {
                signalled = true;
                break;
            }
        }
        SuperFlux.shutdown(); // stops the worker (graceful) and flushes producers the task used
        if (worker.failure().isPresent()) {
            Throwable failure = worker.failure().get();
            // The message names the stage, the error and, where an operator can fix it, what to do.
            spec.commandLine().getErr().println("flux: error: " + (failure.getMessage() != null ? failure.getMessage() : failure));
            return FluxCli.RUNTIME_ERROR;
        }
        log.info("flux process {} stopped{}", taskClass, signalled ? " after a signal; offsets committed" : "");
        return 0;
    }
}
