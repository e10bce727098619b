package io.superflux.internal.task;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.superflux.retry.Stage;

/** The counters of one stage, tagged with the task's group and the stage number. */
final class StageMeters {
    private final Counter handled;
    private final Counter failed;
    private final Counter forwarded;
    private final Counter forwardErrors;
    private final Counter poisonPills;
    private final Counter deadLettered;
    private final MeterRegistry registry;
    private final String task;
    private final Stage stage;
    private io.micrometer.core.instrument.Gauge inFlight;

    StageMeters(MeterRegistry registry, String task, Stage stage) {
        handled = counter(registry, "flux.task.handled", "records handled successfully", task, stage);
        failed = counter(registry, "flux.task.failures", "calls that threw", task, stage);
        forwarded = counter(registry, "flux.task.forwarded", "records forwarded to a later stage", task, stage);
        forwardErrors = counter(registry, "flux.task.forward.errors", "forward attempts that failed (and are retried)", task, stage);
        poisonPills = counter(registry, "flux.task.poison.pills", "records that could not be deserialized", task, stage);
        deadLettered = counter(registry, "flux.task.dead.letters", "records handled by the dead-letter hook", task, stage);
        this.registry = registry;
        this.task = task;
        this.stage = stage;
    }

    /** Registers the gauge of records dispatched to lanes and not finished. */
    void inFlight(java.util.function.IntSupplier records) {
        inFlight = io.micrometer.core.instrument.Gauge.builder("flux.task.in.flight", records, r -> r.getAsInt())
                .description("records running or queued on the stage's lanes")
                .tag("task", task).tag("group", stage.group()).tag("stage", Integer.toString(stage.number()))
                .strongReference(true)
                .register(registry);
    }

    /** Removes the gauge: a restarted stage registers its own. */
    void close() {
        if (inFlight != null) {
            registry.remove(inFlight);
        }
    }

    private static Counter counter(MeterRegistry registry, String name, String description, String task, Stage stage) {
        return Counter.builder(name).description(description).tag("task", task).tag("group", stage.group())
                .tag("stage", Integer.toString(stage.number())).register(registry);
    }

    void handled() {
        handled.increment();
    }

    void failed() {
        failed.increment();
    }

    void forwarded() {
        forwarded.increment();
    }

    void forwardError() {
        forwardErrors.increment();
    }

    void poisonPill() {
        poisonPills.increment();
    }

    void deadLettered() {
        deadLettered.increment();
    }
}
