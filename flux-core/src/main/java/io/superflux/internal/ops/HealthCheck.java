package io.superflux.internal.ops;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.superflux.internal.stage.ops.StageStatus;

/**
 * Liveness and readiness of the stages running in this process, each with a JSON body that says
 * why. Live: every stage's poll loop came round and no call has run longer than the stage's limit,
 * and no stage died. Ready: live stages that all joined their groups, and no shutdown under way.
 */
final class HealthCheck {
    /** A verdict and its JSON body. */
    record Verdict(boolean ok, String json) {
    }

    private final Supplier<List<StageStatus>> stages;
    private final BooleanSupplier shuttingDown;
    private final Clock clock;

    HealthCheck(Supplier<List<StageStatus>> stages, BooleanSupplier shuttingDown, Clock clock) {
        this.stages = stages;
        this.shuttingDown = shuttingDown;
        this.clock = clock;
    }

    Verdict live() {
        List<String> problems = liveness();
        return verdict(problems.isEmpty() ? "UP" : "DOWN", problems);
    }

    /** Not ready: whatever makes it not live, and also starting, a stage not yet in its group, or a shutdown. */
    Verdict ready() {
        List<String> problems = liveness();
        List<StageStatus> all = stages.get();
        if (shuttingDown.getAsBoolean()) {
            problems.add("{\"problem\":\"shutting down\"}");
        }
        if (all.isEmpty()) {
            problems.add("{\"problem\":\"no stage running yet\"}");
        }
        for (StageStatus stage : all) {
            switch (stage.state()) {
                case STARTING -> problems.add(problem(stage, "not yet in its consumer group", null, 0, null));
                case STOPPING, STOPPED -> problems.add(problem(stage, "stopping", null, 0, null));
                default -> { }
            }
            if (stage.heldFull()) {
                problems.add(problem(stage, "ordered retries hold " + stage.heldKeys() + " key(s) and " + stage.parked()
                        + " parked record(s), as many as keyOrder maxHeld allows: new records wait until keys are released",
                        null, 0, null));
            }
        }
        return verdict(problems.isEmpty() ? "UP" : "DOWN", problems);
    }

    private List<String> liveness() {
        long now = clock.millis();
        List<String> problems = new ArrayList<>();
        for (StageStatus stage : stages.get()) {
            if (stage.state() == StageStatus.State.FAILED) {
                problems.add(problem(stage, "failed", stage.failure().orElse("unknown error"), 0, null));
                continue;
            }
            if (stage.state() == StageStatus.State.STOPPED) {
                continue;
            }
            stage.oldestCall().filter(call -> now - call.startedAt() > stage.limitMillis()).ifPresent(call ->
                    problems.add(problem(stage, "call running for " + seconds(now - call.startedAt()) + " s, over its limit of "
                            + seconds(stage.limitMillis()) + " s (flux.health.call-timeout)", null, call.startedAt(), call)));
            if (now - stage.lastPollAt() > stage.limitMillis()) {
                problems.add(problem(stage, "poll loop has not come round for " + seconds(now - stage.lastPollAt())
                        + " s, over its limit of " + seconds(stage.limitMillis()) + " s", null, stage.lastPollAt(), null));
            }
        }
        return problems;
    }

    private Verdict verdict(String status, List<String> problems) {
        StringBuilder json = new StringBuilder("{\"status\":\"").append(status).append("\",\"stages\":[");
        List<StageStatus> all = stages.get();
        for (int i = 0; i < all.size(); i++) {
            StageStatus stage = all.get(i);
            json.append(i == 0 ? "" : ",").append("{\"task\":").append(quote(stage.task())).append(",\"stage\":")
                    .append(stage.stage().number()).append(",\"group\":").append(quote(stage.stage().group()))
                    .append(",\"state\":\"").append(stage.state()).append("\",\"assigned_partitions\":").append(stage.assigned())
                    .append(",\"last_poll\":").append(quote(Instant.ofEpochMilli(stage.lastPollAt()).toString()));
            if (stage.heldKeys() >= 0) {
                json.append(",\"held_keys\":").append(stage.heldKeys()).append(",\"parked\":").append(stage.parked());
            }
            json.append('}');
        }
        json.append("],\"problems\":[").append(String.join(",", problems)).append("]}");
        return new Verdict(problems.isEmpty(), json.toString());
    }

    private static String problem(StageStatus stage, String what, String error, long since, StageStatus.Call call) {
        StringBuilder json = new StringBuilder("{\"task\":").append(quote(stage.task())).append(",\"stage\":")
                .append(stage.stage().number()).append(",\"topic\":").append(quote(stage.stage().topic()))
                .append(",\"problem\":").append(quote(what));
        if (call != null) {
            json.append(",\"partition\":").append(call.partition()).append(",\"offset\":").append(call.offset());
        }
        if (since > 0) {
            json.append(",\"since\":").append(quote(Instant.ofEpochMilli(since).toString()));
        }
        if (error != null) {
            json.append(",\"error\":").append(quote(error));
        }
        return json.append('}').toString();
    }

    private static String seconds(long millis) {
        return String.format(java.util.Locale.ROOT, "%.1f", millis / 1000.0);
    }

    /** A JSON string. */
    static String quote(String text) {
        StringBuilder json = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"').toString();
    }
}
