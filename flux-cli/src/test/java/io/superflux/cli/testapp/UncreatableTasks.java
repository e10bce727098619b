package io.superflux.cli.testapp;

import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskContext;
import io.superflux.task.TaskSpec;

/** Tasks the flux command cannot create, one per reason, for the usage-error tests. */
public final class UncreatableTasks {
    private UncreatableTasks() {
    }

    /** Only a constructor that takes its dependency, and no factory method. */
    public static final class NeedsItsDatabase extends Task<String> {
        public NeedsItsDatabase(String jdbcUrl) {
            super(TaskSpec.topic("orders").group("sink"));
        }

        @Override
        public void call(Message<String> message) {
        }
    }

    /** A create(TaskContext) that is not static. */
    public static final class FactoryNotStatic extends Task<String> {
        public FactoryNotStatic() {
            super(TaskSpec.topic("orders").group("sink"));
        }

        public FactoryNotStatic create(TaskContext context) {
            return new FactoryNotStatic();
        }

        @Override
        public void call(Message<String> message) {
        }
    }

    /** A factory method that asks its context for what only open() knows. */
    public static final class FactoryThrows extends Task<String> {
        private FactoryThrows() {
            super(TaskSpec.topic("orders").group("sink"));
        }

        public static FactoryThrows create(TaskContext context) {
            context.stages();
            return new FactoryThrows();
        }

        @Override
        public void call(Message<String> message) {
        }
    }
}
