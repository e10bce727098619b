package io.superflux.internal.task;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.superflux.retry.Stage;

/**
 * The counters of one stage, tagged with the task's group and the stage number. Counted in
 * LongAdders that function counters read: far cheaper per record than registry counters.
 */
final class StageMeters {
    private final List<Meter> registered = new ArrayList<>();
    private final LongAdder handled;
    private final LongAdder failed;
    private final LongAdder forwarded;
    private final LongAdder forwardErrors;
    private final LongAdder poisonPills;
    private final LongAdder deadLettered;
    private final LongAdder recordsLost;
    private final MeterRegistry registry;
    private final String task;
    private final Stage stage;

    StageMeters(MeterRegistry registry, String task, Stage stage) {
        this.registry = registry;
        this.task = task;
        this.stage = stage;
        handled = counter("flux.task.handled", "records handled successfully");
        failed = counter("flux.task.failures", "calls that threw");
        forwarded = counter("flux.task.forwarded", "records forwarded to a later stage");
        forwardErrors = counter("flux.task.forward.errors", "forward attempts that failed (and are retried)");
        poisonPills = counter("flux.task.poison.pills", "records that could not be deserialized");
        deadLettered = counter("flux.task.dead.letters", "records handled by the dead-letter hook");
        recordsLost = counter("flux.task.records.lost", "records deleted (by retention) before the stage read them");
    }

    /** Registers the gauge of records dispatched to lanes and not finished. */
    void inFlight(IntSupplier records) {
        registered.add(Gauge.builder("flux.task.in.flight", records, r -> r.getAsInt())
                .description("records running or queued on the stage's lanes")
                .tag("task", task).tag("group", stage.group()).tag("stage", Integer.toString(stage.number()))
                .strongReference(true)
                .register(registry));
    }

    /** Removes this stage's meters: a restarted stage registers its own. */
    void close() {
        registered.forEach(registry::remove);
    }

    private LongAdder counter(String name, String description) {
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

    void recordsLost(long records) {
        recordsLost.add(records);
    }
}
