package com.acme;

import io.superflux.SuperFlux;
import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/**
 * The example task of the {@code awesome} topic. It logs every message, and fails on purpose so
 * the retry and dead-letter stages can be seen: a message containing {@code flaky} fails in the
 * main stage and succeeds on its first retry; one containing {@code poison} fails every time and
 * ends in the dead letters.
 */
public final class AwesomeTask extends Task<String> {
    public AwesomeTask() {
        super(TaskSpec.topic("awesome").group("magnificent-5").retries(5));
    }

    @Override
    public void call(Message<String> message) {
        String value = message.value();
        if (value != null && value.contains("poison")) {
            throw new IllegalStateException("cannot digest '" + value + "'");
        }
        if (value != null && value.contains("flaky") && message.stage() == 0) {
            throw new IllegalStateException("flaky the first time: '" + value + "'");
        }
        SuperFlux.logger().info("stage {} handled {} (key {})", message.stage(), value, message.key());
    }

    /** Runs every stage of this task until SIGTERM: {@code java -cp … com.acme.AwesomeTask}. */
    public static void main(String[] args) {
        SuperFlux.run(AwesomeTask.class, args.length > 0 ? args[0] : "all");
    }
}
