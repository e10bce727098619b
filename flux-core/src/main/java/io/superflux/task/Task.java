package io.superflux.task;

import java.util.List;
import java.util.Objects;

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
 * <p>One instance serves every stage a worker runs, each stage on its own thread: keep tasks
 * thread-safe (stateless, or with thread-safe state). Tasks run by the {@code flux} command need a
 * public no-argument constructor.
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

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + spec + "]";
    }
}
