package io.superflux.internal.stage.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.superflux.retry.Stage;

/**
 * The meters of one stage, tagged with the task, its group and the stage number: counters
 * ({@code flux.task.*}), counted in LongAdders that function counters read — far cheaper per
 * record than registry counters — and the gauges of its {@link StageStatus} ({@code flux.stage.*}).
 */
public final class StageMeters {
    private final List<Meter> registered = new ArrayList<>();
    private final LongAdder handled;
    private final LongAdder failed;
    private final LongAdder forwarded;
    private final LongAdder forwardErrors;
    private final LongAdder poisonPills;
    private final LongAdder retriedInPlace;
    private final LongAdder deadLettered;
    private final LongAdder recordsLost;
    private final MeterRegistry registry;
    private final String task;
    private final Stage stage;
    private final StageStatus status;
    private final MultiGauge lag;
    private DistributionSummary batchSize;
    private Timer batchTime;

    public StageMeters(MeterRegistry registry, String task, Stage stage) {
        this.registry = registry;
        this.task = task;
        this.stage = stage;
        this.status = new StageStatus(task, stage, System.currentTimeMillis());
        handled = counter("flux.task.handled", "records handled successfully");
        failed = counter("flux.task.failures", "calls that threw");
        forwarded = counter("flux.task.forwarded", "records forwarded to a later stage");
        forwardErrors = counter("flux.task.forward.errors", "forward attempts that failed (and are retried)");
        poisonPills = counter("flux.task.poison.pills", "records that could not be deserialized");
        retriedInPlace = counter("flux.task.retried.in.place", "failed calls called again in the same stage (retryInPlace)");
        deadLettered = counter("flux.task.dead.letters", "records handled by the dead-letter hook");
        recordsLost = counter("flux.task.records.lost", "records deleted (by retention) before the stage read them");
        lag = MultiGauge.builder("flux.stage.lag").baseUnit("records").tags(tags())
                .description("records between the committed offset and the log end, per partition").register(registry);
        StageStatus s = status;
        gauge("flux.stage.waiting", "records", "records held for their due time (retry stages)",
                () -> s.figures().waiting());
        gauge("flux.stage.waiting.oldest.due.time", "seconds", "due time of the oldest waiting record (epoch seconds; 0: none)",
                () -> s.figures().oldestWaitingDueAt() / 1000.0);
        gauge("flux.stage.due.lag", "seconds", "how far behind its due time the oldest due record not yet handled is",
                () -> s.figures().dueLagSeconds());
        gauge("flux.stage.in.flight.oldest.age", "seconds", "how long the longest call under way has run",
                () -> s.oldestCall().map(call -> (System.currentTimeMillis() - call.startedAt()) / 1000.0).orElse(0.0));
        gauge("flux.stage.paused.partitions", "partitions", "partitions paused (throttled, held by a forward, or full)",
                () -> s.figures().paused());
        gauge("flux.stage.assigned.partitions", "partitions", "partitions assigned to the stage", s::assigned);
        gauge("flux.stage.last.poll.age", "seconds", "time since the stage's poll loop last came round",
                () -> (System.currentTimeMillis() - s.lastPollAt()) / 1000.0);
        registered.add(FunctionCounter.builder("flux.stage.rebalances", s, StageStatus::rebalances)
                .description("assignments the stage received (the first included)").tags(tags()).register(registry));
    }

    /** {@code flux.stage.outage}: 1 while the stage is paused for an outage (outage protection), else 0. */
    public void outage(IntSupplier paused) {
        gauge("flux.stage.outage", null, "1 while the stage is paused for an outage (outage protection)", paused::getAsInt);
    }

    /**
     * Ordered retries (stage 0): {@code flux.order.held.keys}, {@code flux.order.parked},
     * {@code flux.order.parked.oldest.age} and the counter {@code flux.order.null.keys}, which
     * counts records without a key (never ordered); returns that counter.
     */
    public LongAdder keyOrder(IntSupplier heldKeys, IntSupplier parked, java.util.function.LongSupplier oldestParkedAt) {
        gauge("flux.order.held.keys", "keys", "keys held behind a record in the retry chain (ordered retries)",
                heldKeys::getAsInt);
        gauge("flux.order.parked", "records", "records parked behind their key's record in the retry chain", parked::getAsInt);
        gauge("flux.order.parked.oldest.age", "seconds", "how long the oldest parked record has waited (0: none)", () -> {
            long at = oldestParkedAt.getAsLong();
            return at < 0 ? 0.0 : Math.max(0, System.currentTimeMillis() - at) / 1000.0;
        });
        return counter("flux.order.null.keys", "records without a key: ordered retries do not order them");
    }

    /** What the stage is doing, for the health endpoint. */
    public StageStatus status() {
        return status;
    }

    /** Publishes the figures the reactor computed (once a second). */
    public void figures(StageStatus.Figures figures) {
        status.figures(figures);
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        figures.lagByPartition().forEach((partition, records) ->
                rows.add(MultiGauge.Row.of(Tags.of("partition", Integer.toString(partition)), records)));
        lag.register(rows, true);
    }

    private Tags tags() {
        return Tags.of("task", task, "group", stage.group(), "stage", Integer.toString(stage.number()));
    }

    private void gauge(String name, String unit, String description, java.util.function.Supplier<Number> value) {
        registered.add(Gauge.builder(name, value).baseUnit(unit).description(description).tags(tags())
                .strongReference(true).register(registry));
    }

    /** Registers the gauge of records dispatched to lanes and not finished. */
    public void inFlight(IntSupplier records) {
        registered.add(Gauge.builder("flux.task.in.flight", records, r -> r.getAsInt())
                .description("records running or queued on the stage's lanes")
                .tag("task", task).tag("group", stage.group()).tag("stage", Integer.toString(stage.number()))
                .strongReference(true)
                .register(registry));
    }

    /** Removes this stage's meters: a restarted stage registers its own. */
    public void close() {
        registered.forEach(registry::remove);
        lag.register(List.of(), true);
    }

    private LongAdder counter(String name, String description) {
        LongAdder count = new LongAdder();
        registered.add(FunctionCounter.builder(name, count, LongAdder::sum).description(description).tag("task", task)
                .tag("group", stage.group()).tag("stage", Integer.toString(stage.number())).register(registry));
        return count;
    }

    public void handled() {
        handled.increment();
    }

    public void failed() {
        failed.increment();
    }

    /** {@code calls} more calls threw. */
    public void failed(int calls) {
        failed.add(calls);
    }

    /** {@code calls} failed calls were called again in the same stage. */
    public void retriedInPlace(int calls) {
        retriedInPlace.add(calls);
    }

    public void forwarded() {
        forwarded.increment();
    }

    public void forwardError() {
        forwardErrors.increment();
    }

    public void poisonPill() {
        poisonPills.increment();
    }

    public void deadLettered() {
        deadLettered.increment();
    }

    public void recordsLost(long records) {
        recordsLost.add(records);
    }

    /**
     * A batch task's call of {@code size} records took {@code nanos}: {@code flux_task_batch_size}
     * and {@code flux_task_batch_seconds}, registered with the first batch. Stage thread only.
     */
    public void batch(int size, long nanos) {
        if (batchSize == null) {
            batchSize = DistributionSummary.builder("flux.task.batch.size").description("records per call of a batch task")
                    .tags(tags()).register(registry);
            batchTime = Timer.builder("flux.task.batch").description("how long a batch task's call took")
                    .tags(tags()).register(registry);
            registered.add(batchSize);
            registered.add(batchTime);
        }
        batchSize.record(size);
        batchTime.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
