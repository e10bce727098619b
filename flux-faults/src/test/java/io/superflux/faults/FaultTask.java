package io.superflux.faults;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import io.superflux.retry.Backoff;
import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/**
 * The task the fault suite's {@code flux.jar} workers run (loaded with {@code --load}). A value is
 * {@code <id>:<plan>}: {@code ok} is handled in stage 0, {@code retry} fails in stage 0 and is
 * handled in stage 1, {@code dead} fails in every stage and reaches the dead letters. Every call
 * and every dead letter is appended to the {@link TaskLog} (and, when calls take time, their start). Configured by system properties:
 * {@code faults.topic}, {@code faults.log}, {@code faults.group} (faults), {@code faults.retries}
 * (2), {@code faults.concurrency} (1), {@code faults.backoff-ms} (2000, fixed), {@code faults.call-ms}
 * (0, time each call takes), {@code faults.key-order} (false: ordered retries when true).
 */
public final class FaultTask extends Task<String> {
    private final TaskLog log;
    private final long callMillis;

    public FaultTask() {
        super(plannedSpec());
        log = TaskLog.appendingTo(Path.of(System.getProperty("faults.log")));
        callMillis = Long.getLong("faults.call-ms", 0);
    }

    /** The spec both fault tasks run with, from the system properties. */
    static TaskSpec<String> plannedSpec() {
        TaskSpec<String> spec = TaskSpec.topic(System.getProperty("faults.topic"))
                .group(System.getProperty("faults.group", "faults"))
                .retries(Integer.getInteger("faults.retries", 2))
                .concurrency(Integer.getInteger("faults.concurrency", 1))
                .backoff(Backoff.fixed(Duration.ofMillis(Long.getLong("faults.backoff-ms", 2_000))));
        return Boolean.getBoolean("faults.key-order") ? spec.keyOrder(io.superflux.task.KeyOrder.ordered()) : spec;
    }

    @Override
    public void call(Message<String> message) throws InterruptedException {
        if (callMillis > 0) {
            logStart(log, message);
            Thread.sleep(callMillis);
        }
        String failure = outcome(log, message);
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    static void logStart(TaskLog log, Message<String> message) {
        log.append("START", message.stage(), Integer.parseInt(message.value().split(":")[0]), message.partition(),
                System.currentTimeMillis(), message.dueAt().map(java.time.Instant::toEpochMilli).orElse(0L));
    }

    /** Logs what the plan makes of {@code message} in its stage: null if it is handled, else why it fails. */
    static String outcome(TaskLog log, Message<String> message) {
        String[] value = message.value().split(":");
        int id = Integer.parseInt(value[0]);
        long due = message.dueAt().map(java.time.Instant::toEpochMilli).orElse(0L);
        boolean fail = value[1].equals("dead") || (value[1].equals("retry") && message.stage() == 0);
        log.append(fail ? "FAIL" : "OK", message.stage(), id, message.partition(), System.currentTimeMillis(), due);
        return fail ? "planned failure of " + id + " in stage " + message.stage() : null;
    }

    @Override
    public void deadLetter(Message<String> message) {
        deadLetter(log, message);
    }

    static void deadLetter(TaskLog log, Message<String> message) {
        String value = new String(message.rawValue(), StandardCharsets.UTF_8);
        int id = Integer.parseInt(value.split(":")[0]);
        log.append("DEAD", message.stage(), id, message.partition(), System.currentTimeMillis(),
                message.dueAt().map(java.time.Instant::toEpochMilli).orElse(0L));
    }
}
