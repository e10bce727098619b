package io.superflux.cli.testapp;

import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/** A task that forgot its consumer group. */
public final class NoGroupTask extends Task<String> {
    public NoGroupTask() {
        super(TaskSpec.topic("orphan"));
    }

    @Override
    public void call(Message<String> message) {
    }
}
