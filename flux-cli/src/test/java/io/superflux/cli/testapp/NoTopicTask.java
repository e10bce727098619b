package io.superflux.cli.testapp;

import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/** A task without a topic. */
public final class NoTopicTask extends Task<String> {
    public NoTopicTask() {
        super(TaskSpec.topic("").group("g"));
    }

    @Override
    public void call(Message<String> message) {
    }
}
