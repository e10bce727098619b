package io.superflux.task;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.superflux.FluxConfig;
import io.superflux.retry.Backoff;
import io.superflux.retry.StagePlan;
import io.superflux.serde.JsonDeserializer;

/**
 * What a {@link Task} consumes and how it retries. Immutable (fields are set only on a new copy,
 * before it is returned); each method returns a new spec.
 *
 * <pre>{@code
 * TaskSpec.topic("awesome")             // input topic, String values
 *         .group("magnificent-5")       // consumer group (required)
 *         .retries(5)                   // retry stages (default 5)
 *         .backoff(Backoff.standard())  // wait before each retry (default: n⁴ + 15 + r·(n+1) s)
 *         .fatal(IllegalArgumentException.class) // straight to the dead letters
 *         .routeTo(3, RateLimitedException.class) // straight to retry stage 3
 *         .retryInPlace(2, Duration.ofMillis(200)) // two more calls before forwarding
 *         .outageProtection(OutageProtection.standard()) // pause while a dependency is down
 *         .json(Order.class)            // JSON values (Jackson); default: String
 *         .concurrency(200)             // records of different keys in parallel (default 1)
 *         .cluster("analytics");        // a cluster under flux.clusters (default: flux.kafka)
 * }</pre>
 *
 * @param <V> the value type
 */
public final class TaskSpec<V> {
    /** Retries when none are declared, as in Super::Flux. */
    public static final int DEFAULT_RETRIES = 5;

    /** Longest wait {@link #retryInPlace} accepts between two calls of one record. */
    public static final Duration MAX_IN_PLACE_BACKOFF = Duration.ofMinutes(15);

    private String topic;
    private String group;
    private int retries;
    private Backoff backoff;
    private List<Class<? extends Throwable>> fatal;
    private List<Route> routes;
    private Deserializer<V> deserializer;
    private String cluster;
    private int concurrency;
    private int inPlaceAttempts;
    private Duration inPlaceBackoff;
    private OutageProtection outageProtection;
    private BatchLimits batchLimits;
    private KeyOrder keyOrder;

    private TaskSpec() {
    }

    /**
     * A spec reading {@code topic} with String values (UTF-8) from the default cluster.
     *
     * @throws IllegalArgumentException if {@code topic} is not a legal topic name
     */
    public static TaskSpec<String> topic(String topic) {
        TaskSpec<String> spec = new TaskSpec<>();
        spec.topic = TaskNames.require(topic, "topic");
        spec.retries = DEFAULT_RETRIES;
        spec.backoff = Backoff.standard();
        spec.fatal = List.of();
        spec.routes = List.of();
        spec.deserializer = new StringDeserializer();
        spec.cluster = FluxConfig.DEFAULT_CLUSTER;
        spec.concurrency = 1;
        spec.inPlaceBackoff = Duration.ZERO;
        spec.batchLimits = BatchLimits.standard();
        return spec;
    }

    /** The consumer group of the main stage; retry stages use {@code <group>-<n>}. */
    public TaskSpec<V> group(String group) {
        return with(copy -> copy.group = TaskNames.require(group, "group"));
    }

    /** The number of retry stages, 0 or more (default {@value #DEFAULT_RETRIES}). */
    public TaskSpec<V> retries(int retries) {
        if (retries < 0 || retries > 100) {
            throw new IllegalArgumentException("retries must be from 0 to 100, not " + retries);
        }
        return with(copy -> copy.retries = retries);
    }

    /** The wait before each retry stage. */
    public TaskSpec<V> backoff(Backoff backoff) {
        return with(copy -> copy.backoff = Objects.requireNonNull(backoff, "backoff"));
    }

    /** Exceptions (and their subclasses) that no retry can cure: they go straight to the dead letters. */
    @SafeVarargs
    public final TaskSpec<V> fatal(Class<? extends Throwable>... types) {
        return with(copy -> copy.fatal = List.of(types));
    }

    /**
     * Records whose call throws one of {@code types} (or a subclass) go straight to {@code stage}
     * — a later retry stage, or the dead-letter stage ({@code retries + 1}) — instead of the next
     * stage; a record that fails in that stage or later goes on to the next one as usual. Routes are
     * tried in the order declared, after {@link #fatal}; each call adds to the routes declared
     * before. Like Spring Kafka's exception-based routing of retry topics: a rate limit goes to the
     * stage with the long wait at once, a malformed order to the dead letters.
     *
     * @throws IllegalArgumentException if {@code stage} is below 1 (stage 0 is the input topic);
     *                                  a stage beyond the dead-letter stage fails {@link #plan()}
     */
    @SafeVarargs
    public final TaskSpec<V> routeTo(int stage, Class<? extends Throwable>... types) {
        if (stage < 1) {
            throw new IllegalArgumentException("routeTo: stage must be 1 or more (a retry stage, or retries + 1 for the"
                    + " dead letters), not " + stage);
        }
        if (types.length == 0) {
            throw new IllegalArgumentException("routeTo(" + stage + "): name at least one exception type");
        }
        List<Route> more = new ArrayList<>(routes);
        for (Class<? extends Throwable> type : types) {
            more.add(new Route(Objects.requireNonNull(type, "routeTo: exception type"), stage));
        }
        return with(copy -> copy.routes = List.copyOf(more));
    }

    /**
     * Retries a failed call up to {@code attempts} more times in the same stage, {@code backoff}
     * apart, before forwarding the record (default: 0, forward at once). For blips — a timeout, a
     * 503 — that a retry a moment later cures, without a produce, a long wait and reordering. The
     * waits never hold up the poll loop: in one-at-a-time mode the record's partition is paused and
     * the record read again when the wait is over (the stage's other partitions go on); with
     * {@link #concurrency} the record's lane waits (other keys go on). The record's failure history
     * ({@code flux-failures}) lists every attempt. Fatal types are not retried in place.
     *
     * @throws IllegalArgumentException if {@code attempts} is not from 0 to 100, or {@code backoff}
     *                                  is negative or longer than {@link #MAX_IN_PLACE_BACKOFF}
     */
    public TaskSpec<V> retryInPlace(int attempts, Duration backoff) {
        if (attempts < 0 || attempts > 100) {
            throw new IllegalArgumentException("retryInPlace: attempts must be from 0 to 100, not " + attempts);
        }
        Objects.requireNonNull(backoff, "retryInPlace: backoff");
        if (backoff.isNegative() || backoff.compareTo(MAX_IN_PLACE_BACKOFF) > 0) {
            throw new IllegalArgumentException("retryInPlace: backoff must be from 0 to " + MAX_IN_PLACE_BACKOFF.toMinutes()
                    + " minutes, not " + backoff);
        }
        return with(copy -> {
            copy.inPlaceAttempts = attempts;
            copy.inPlaceBackoff = backoff;
        });
    }

    /**
     * Pauses the main stage when its records fail at {@code policy}'s rate, from many keys — a
     * dependency is down — instead of flooding the retry topics and, later, the dead letters with
     * records that were never bad; it probes with one record at a time, rounds of five at growing
     * intervals, forwards the probes that fail, and resumes when a probe succeeds. Off by default.
     * While paused the stage logs it at WARN and {@code flux_stage_outage} is 1.
     */
    public TaskSpec<V> outageProtection(OutageProtection policy) {
        return with(copy -> copy.outageProtection = Objects.requireNonNull(policy, "outageProtection"));
    }

    /**
     * Values deserialized by {@code deserializer}. Flux calls its {@code configure} once when a
     * worker starts, with the cluster's kafka-clients properties and {@code flux.serde.properties}.
     * A {@link org.apache.kafka.common.errors.SerializationException} means the value is bad: the
     * record goes to the dead letters. Any other exception means a dependency failed (a Schema
     * Registry that cannot be reached): the record is read again later, never dead-lettered.
     */
    public <T> TaskSpec<T> deserializer(Deserializer<T> deserializer) {
        return copy(Objects.requireNonNull(deserializer, "deserializer"));
    }

    /** byte[] values, as stored. */
    public TaskSpec<byte[]> bytes() {
        return deserializer(new ByteArrayDeserializer());
    }

    /**
     * JSON values read into {@code type} with Jackson (java.time types and Optional work, unknown
     * properties are ignored; a value that is not JSON, or JSON that does not map to the type, is
     * a bad record and goes to the dead letters, its first line saying which).
     */
    public <T> TaskSpec<T> json(Class<T> type) {
        return deserializer(new JsonDeserializer<>(type));
    }

    /**
     * JSON values read into {@code type} with the application's own {@code mapper} (configured
     * once, shared: Jackson mappers are thread-safe then). The mapper is of the Jackson Flux
     * ships; an application that brings a Jackson of its own gives a {@link #deserializer} built
     * on it instead.
     */
    public <T> TaskSpec<T> json(Class<T> type, com.fasterxml.jackson.databind.ObjectMapper mapper) {
        return deserializer(new JsonDeserializer<>(type, mapper));
    }

    /**
     * How many records of a stage run at once (default 1: one at a time, in offset order).
     * Records with the same key always run in order, one after the other; records with different
     * keys run in parallel on {@code concurrency} threads; a slow key holds up only itself. Commits
     * cover only the records before the first unfinished one. At most max(1000, 50 × concurrency)
     * records are in flight (plus one poll's worth): beyond that the stage pauses its partitions.
     * The dead-letter stage always runs one at a time.
     */
    public TaskSpec<V> concurrency(int concurrency) {
        if (concurrency < 1 || concurrency > 1_000) {
            throw new IllegalArgumentException("concurrency must be from 1 to 1000, not " + concurrency);
        }
        return with(copy -> copy.concurrency = concurrency);
    }

    /**
     * How big the batches of a {@link BatchTask} get (default {@link BatchLimits#standard()});
     * {@code flux.batch.*} overrides them. A task that is not a batch task ignores them.
     */
    public TaskSpec<V> batchLimits(BatchLimits limits) {
        return with(copy -> copy.batchLimits = Objects.requireNonNull(limits, "batchLimits"));
    }

    /** The batch limits of a {@link BatchTask}. */
    public BatchLimits batchLimits() {
        return batchLimits;
    }

    /**
     * Ordered retries ({@link KeyOrder}): while a record of a key is in the retry chain, the key's
     * later records wait behind it; other keys go on. Needs concurrency 1 and a plain task.
     */
    public TaskSpec<V> keyOrder(KeyOrder order) {
        return with(copy -> copy.keyOrder = Objects.requireNonNull(order, "keyOrder"));
    }

    /** The task's ordered retries, if it declared them. */
    public java.util.Optional<KeyOrder> keyOrder() {
        return java.util.Optional.ofNullable(keyOrder);
    }

    /** Consume from the cluster called {@code name} ({@code flux.clusters.<name>}). */
    public TaskSpec<V> cluster(String name) {
        return with(copy -> copy.cluster = Objects.requireNonNull(name, "cluster"));
    }

    /** A copy of this spec with {@code change} applied (to the copy only, before anyone else sees it). */
    private TaskSpec<V> with(Consumer<TaskSpec<V>> change) {
        TaskSpec<V> copy = copy(deserializer);
        change.accept(copy);
        return copy;
    }

    private <T> TaskSpec<T> copy(Deserializer<T> withDeserializer) {
        TaskSpec<T> copy = new TaskSpec<>();
        copy.topic = topic;
        copy.group = group;
        copy.retries = retries;
        copy.backoff = backoff;
        copy.fatal = fatal;
        copy.routes = routes;
        copy.deserializer = withDeserializer;
        copy.cluster = cluster;
        copy.concurrency = concurrency;
        copy.inPlaceAttempts = inPlaceAttempts;
        copy.inPlaceBackoff = inPlaceBackoff;
        copy.outageProtection = outageProtection;
        copy.batchLimits = batchLimits;
        copy.keyOrder = keyOrder;
        return copy;
    }

    /**
     * The stages of this task.
     *
     * @throws IllegalStateException if no group was declared
     */
    public StagePlan plan() {
        if (group == null) {
            throw new IllegalStateException("the task of topic '" + topic + "' declares no consumer group:"
                    + " add .group(\"…\") to its TaskSpec");
        }
        for (Route route : routes) {
            if (route.stage() > retries + 1) {
                throw new IllegalStateException("the task of topic '" + topic + "' routes " + route.type().getName()
                        + " to stage " + route.stage() + ", but its stages go from 0 to " + (retries + 1)
                        + " (the dead letters): routeTo takes 1 to " + (retries + 1));
            }
        }
        if (keyOrder != null && concurrency > 1) {
            throw new IllegalStateException("the task of topic '" + topic + "' declares keyOrder and concurrency "
                    + concurrency + ": ordered retries call a key's released records on the stage's own thread, in order,"
                    + " so they need concurrency 1");
        }
        return StagePlan.of(topic, group, retries);
    }

    /**
     * The stage a record that failed in {@code failedStage} with {@code error} goes to: the dead
     * letters for a fatal type, the first matching route if it is later than the next stage, else
     * the next stage.
     */
    public int nextStage(int failedStage, Throwable error) {
        if (isFatal(error)) {
            return retries + 1;
        }
        for (Route route : routes) {
            if (route.type().isInstance(error)) {
                return Math.max(failedStage + 1, route.stage());
            }
        }
        return failedStage + 1;
    }

    /** Whether {@code error} is of a type declared fatal. */
    public boolean isFatal(Throwable error) {
        for (Class<? extends Throwable> type : fatal) {
            if (type.isInstance(error)) {
                return true;
            }
        }
        return false;
    }

    /** The input topic. */
    public String topic() {
        return topic;
    }

    /** The consumer group, or null if none was declared. */
    public String group() {
        return group;
    }

    /** The number of retry stages. */
    public int retries() {
        return retries;
    }

    /** The backoff policy. */
    public Backoff backoff() {
        return backoff;
    }

    /** The fatal exception types. */
    public List<Class<? extends Throwable>> fatal() {
        return fatal;
    }

    /** The routes declared with {@link #routeTo}, in order. */
    public List<Route> routes() {
        return routes;
    }

    /** Calls of a failed record retried in place before it is forwarded (0: none). */
    public int inPlaceAttempts() {
        return inPlaceAttempts;
    }

    /** The outage protection, if declared. */
    public java.util.Optional<OutageProtection> outageProtection() {
        return java.util.Optional.ofNullable(outageProtection);
    }

    /** The wait between two in-place attempts. */
    public Duration inPlaceBackoff() {
        return inPlaceBackoff;
    }

    /**
     * An exception type sent straight to a stage.
     *
     * @param type  the exception type (subclasses too)
     * @param stage the stage its records go to
     */
    public record Route(Class<? extends Throwable> type, int stage) {
    }

    /** The value deserializer. */
    public Deserializer<V> deserializer() {
        return deserializer;
    }

    /** The cluster's name. */
    public String cluster() {
        return cluster;
    }

    /** Records of a stage that may run at once. */
    public int concurrency() {
        return concurrency;
    }

    @Override
    public String toString() {
        return "TaskSpec[topic=" + topic + ", group=" + group + ", retries=" + retries + ", cluster=" + cluster
                + ", concurrency=" + concurrency + ", retryInPlace=" + inPlaceAttempts + "/" + inPlaceBackoff + "]";
    }
}
