package io.superflux.internal.task;

import java.util.List;
import java.util.Objects;

import com.typesafe.config.Config;

import io.micrometer.core.instrument.MeterRegistry;
import io.superflux.FluxConfig;
import io.superflux.producer.Producer;
import io.superflux.producer.ProducerSpec;
import io.superflux.retry.Stage;
import io.superflux.retry.StagePlan;
import io.superflux.task.TaskContext;

/**
 * The {@link TaskContext} of one worker, or of a task's factory method (then without plan and
 * stages: the task that has them does not exist yet). Immutable.
 */
public final class WorkerContext implements TaskContext {
    private final Config config;
    private final FluxConfig fluxConfig;
    private final MeterRegistry meters;
    private final String taskName;
    private final StagePlan plan;
    private final List<Stage> stages;

    private WorkerContext(Config config, FluxConfig fluxConfig, MeterRegistry meters, String taskName, StagePlan plan,
                          List<Stage> stages) {
        this.config = Objects.requireNonNull(config, "config");
        this.fluxConfig = Objects.requireNonNull(fluxConfig, "fluxConfig");
        this.meters = Objects.requireNonNull(meters, "meters");
        this.taskName = taskName;
        this.plan = plan;
        this.stages = stages;
    }

    /** The context a factory method of {@code taskClass} is given. */
    public static WorkerContext forCreation(Class<?> taskClass, Config config, FluxConfig fluxConfig, MeterRegistry meters) {
        return new WorkerContext(config, fluxConfig, meters, taskClass.getSimpleName(), null, null);
    }

    /** The context of a worker of task {@code taskName} with {@code plan}, running {@code stages}. */
    public static WorkerContext forWorker(String taskName, StagePlan plan, List<Stage> stages, Config config,
                                          FluxConfig fluxConfig, MeterRegistry meters) {
        return new WorkerContext(config, fluxConfig, meters, taskName, Objects.requireNonNull(plan, "plan"),
                List.copyOf(stages));
    }

    @Override
    public Config config() {
        return config;
    }

    @Override
    public FluxConfig fluxConfig() {
        return fluxConfig;
    }

    @Override
    public MeterRegistry meterRegistry() {
        return meters;
    }

    @Override
    public <V> Producer<V> producer(ProducerSpec<V> spec) {
        return Producer.of(spec);
    }

    @Override
    public String taskName() {
        return taskName;
    }

    @Override
    public StagePlan plan() {
        if (plan == null) {
            throw notYet("plan()");
        }
        return plan;
    }

    @Override
    public List<Stage> stages() {
        if (stages == null) {
            throw notYet("stages()");
        }
        return stages;
    }

    private IllegalStateException notYet(String what) {
        return new IllegalStateException("TaskContext." + what + " is not known in " + taskName + "'s factory method:"
                + " the task it creates declares it; read it in open(TaskContext)");
    }

    @Override
    public String toString() {
        return "TaskContext[" + taskName + (stages == null ? "" : ", stages " + stages.stream().map(Stage::number).toList())
                + "]";
    }
}
