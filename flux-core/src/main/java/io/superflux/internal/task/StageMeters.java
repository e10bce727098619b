package io.superflux.internal.task;

import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.superflux.retry.Stage;

/**
 * The counters of one stage, tagged with the task's group and the stage number. Counted in
 * LongAdders that function counters read: far cheaper per record than registry counters.
 */
final class StageMeters {
    private final java.util.List<io.micrometer.core.instrument.Meter> registered = new java.util.ArrayList<>();
    private final LongAdder handled;
    private final LongAdder failed;
    private final LongAdder forwarded;
    private final LongAdder forwardErrors;
    private final LongAdder poisonPills;
    private final LongAdder deadLettered;
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

    /** Removes this stage's meters: a restarted stage registers its own. */
    void close() {
        if (inFlight != null) {
            registry.remove(inFlight);
        }
        registered.forEach(registry::remove);
    }

    private LongAdder counter(MeterRegistry registry, String name, String description, String task, Stage stage) {
        LongAdder count = new LongAdder();
        registered.add(FunctionCounter.builder(name, count, LongAdder::sum).description(description).tag("task", task)
                .tag("group", stage.group()).tag("stage", Integer.toString(stage.number())).register(registry));
        return count;
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
