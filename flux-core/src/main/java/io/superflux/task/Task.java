package io.superflux.task;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

import org.apache.kafka.common.TopicPartition;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task: a topic, a consumer group, a number of retries and {@link #call(Message)}.
 *
 * <pre>{@code
 * public final class AwesomeTask extends Task<String> {
 *     public AwesomeTask() {
 *         super(TaskSpec.topic("awesome").group("magnificent-5").retries(5));
 *     }
 *
 *     @Override
 *     public void call(Message<String> message) {
 *         SuperFlux.logger().info(message.value());
 *     }
 * }
 * }</pre>
 *
 * <p>When {@code call} throws, the record is forwarded to the next retry stage, which calls it
 * again no earlier than the backoff says; after the last retry it reaches the dead-letter stage,
 * which calls {@link #deadLetter(Message)}. Exceptions declared fatal skip the retries.
 *
 * <p><b>Lifecycle.</b> {@link #open(TaskContext)} runs once per worker, before any stage reads
 * a record; {@link #close()} runs once, after every stage stopped and made its final commit (also
 * when a stage failed; not when {@code open} threw). Per stage, {@link #onAssigned} and
 * {@link #onRevoked} say which partitions the stage holds.
 *
 * <p><b>Threads.</b> One instance serves every stage a worker runs, each stage on its own thread,
 * and with {@code concurrency(K)} on K lane threads too: {@code call} and {@code deadLetter} run
 * concurrently, so keep state thread-safe. {@code open} and {@code close} never overlap a call:
 * {@code open} returns before the first, {@code close} starts after the last has returned.
 * {@code onAssigned} and {@code onRevoked} run on the stage's own thread, while none of the
 * partitions they name has a call under way.
 *
 * <p><b>Creation.</b> The {@code flux} command creates a task with its public static factory
 * method {@code create(TaskContext)} when it declares one (to hand it its dependencies), else
 * with its public no-argument constructor. In library mode, {@link io.superflux.SuperFlux#start}
 * takes an instance however it was made (Spring, Guice, Dagger).
 *
 * @param <V> the value type
 */
public abstract class Task<V> {
    private static final Logger DEAD_LETTERS = LoggerFactory.getLogger("io.superflux.deadletter");

    private final TaskSpec<V> spec;

    /** A task as declared by {@code spec}. */
    protected Task(TaskSpec<V> spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    /** The declaration. */
    public final TaskSpec<V> spec() {
        return spec;
    }

    /** Handles one message; throwing sends it to the next stage. */
    public abstract void call(Message<V> message) throws Exception;

    /**
     * Handles a message that exhausted its retries or failed fatally. The default logs it at WARN
     * (coordinates and failures, not the value) on the logger {@code io.superflux.deadletter}.
     * Throwing retries the hook later; the record is never dropped.
     */
    public void deadLetter(Message<V> message) throws Exception {
        List<Failure> failures = message.failures();
        Failure last = failures.isEmpty() ? null : failures.get(failures.size() - 1);
        Origin origin = message.origin();
        DEAD_LETTERS.warn("Dead letter of {}: {}-{}@{} key={} after {} failure(s); last: {}: {}",
                getClass().getSimpleName(), origin.topic(), origin.partition(), origin.offset(), message.key(),
                failures.size(), last == null ? "-" : last.exceptionClass(), last == null ? "-" : last.message());
    }

    /**
     * Runs once per worker before any of its stages reads a record: open connection pools, read
     * the application's settings ({@link TaskContext#config()}), register meters. Throwing stops
     * the worker before anything is consumed ({@code flux process} exits 1 with the error) and
     * {@link #close()} is not called. The default does nothing.
     */
    public void open(TaskContext context) throws Exception {
    }

    /**
     * Runs once per worker after every stage stopped and made its final commit, also when a
     * stage failed: close what {@link #open} opened. An exception is logged at WARN. The default
     * does nothing.
     */
    public void close() throws Exception {
    }

    /**
     * A stage was given {@code partitions} (of its topic), before any of their records is called.
     * Throwing fails the stage (a supervisor restarts the process). The default does nothing.
     */
    public void onAssigned(io.superflux.retry.Stage stage, Collection<TopicPartition> partitions) throws Exception {
    }

    /**
     * A stage gives {@code partitions} back: revoked by a rebalance, lost (the member was
     * expelled) or at stop. Every partition {@link #onAssigned} gave comes back here once. It
     * runs after the partitions' calls finished (at most the revocation budget, half of
     * {@code max.poll.interval.ms}, is waited for) and before their final commit: flush what is
     * kept per partition here. Throwing leaves their last records uncommitted, so their next
     * owner reads them again (logged at WARN). The default does nothing.
     */
    public void onRevoked(io.superflux.retry.Stage stage, Collection<TopicPartition> partitions) throws Exception {
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + spec + "]";
    }
}
