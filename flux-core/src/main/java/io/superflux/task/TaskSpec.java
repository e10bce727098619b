package io.superflux.task;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.superflux.FluxConfig;
import io.superflux.retry.Backoff;
import io.superflux.retry.StagePlan;

/**
 * What a {@link Task} consumes and how it retries. Immutable; each method returns a new spec.
 *
 * <pre>{@code
 * TaskSpec.topic("awesome")             // input topic, String values
 *         .group("magnificent-5")       // consumer group (required)
 *         .retries(5)                   // retry stages (default 5)
 *         .backoff(Backoff.standard())  // wait before each retry (default: n⁴ + 15 + r·(n+1) s)
 *         .fatal(IllegalArgumentException.class) // straight to the dead letters
 *         .concurrency(200)             // records of different keys in parallel (default 1)
 *         .cluster("analytics");        // a cluster under flux.clusters (default: flux.kafka)
 * }</pre>
 *
 * @param <V> the value type
 */
public final class TaskSpec<V> {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    /** Retries when none are declared, as in Super::Flux. */
    public static final int DEFAULT_RETRIES = 5;

    private final String topic;
    private final String group;
    private final int retries;
    private final Backoff backoff;
    private final List<Class<? extends Throwable>> fatal;
    private final Deserializer<V> deserializer;
    private final String cluster;
    private final int concurrency;

    private TaskSpec(String topic, String group, int retries, Backoff backoff, List<Class<? extends Throwable>> fatal,
                     Deserializer<V> deserializer, String cluster, int concurrency) {
        this.topic = topic;
        this.group = group;
        this.retries = retries;
        this.backoff = backoff;
        this.fatal = fatal;
        this.deserializer = deserializer;
        this.cluster = cluster;
        this.concurrency = concurrency;
    }

    /**
     * A spec reading {@code topic} with String values (UTF-8) from the default cluster.
     *
     * @throws IllegalArgumentException if {@code topic} is not a legal topic name
     */
    public static TaskSpec<String> topic(String topic) {
        return new TaskSpec<>(requireName(topic, "topic"), null, DEFAULT_RETRIES, Backoff.standard(), List.of(),
                new StringDeserializer(), FluxConfig.DEFAULT_CLUSTER, 1);
    }

    /** The consumer group of the main stage; retry stages use {@code <group>-<n>}. */
    public TaskSpec<V> group(String group) {
        return new TaskSpec<>(topic, requireName(group, "group"), retries, backoff, fatal, deserializer, cluster, concurrency);
    }

    /** The number of retry stages, 0 or more (default {@value #DEFAULT_RETRIES}). */
    public TaskSpec<V> retries(int retries) {
        if (retries < 0 || retries > 100) {
            throw new IllegalArgumentException("retries must be from 0 to 100, not " + retries);
        }
        return new TaskSpec<>(topic, group, retries, backoff, fatal, deserializer, cluster, concurrency);
    }

    /** The wait before each retry stage. */
    public TaskSpec<V> backoff(Backoff backoff) {
        return new TaskSpec<>(topic, group, retries, Objects.requireNonNull(backoff, "backoff"), fatal, deserializer, cluster, concurrency);
    }

    /** Exceptions (and their subclasses) that no retry can cure: they go straight to the dead letters. */
    @SafeVarargs
    public final TaskSpec<V> fatal(Class<? extends Throwable>... types) {
        return new TaskSpec<>(topic, group, retries, backoff, List.of(types), deserializer, cluster, concurrency);
    }

    /** Values deserialized by {@code deserializer}; a value it cannot read goes to the dead letters. */
    public <T> TaskSpec<T> deserializer(Deserializer<T> deserializer) {
        return new TaskSpec<>(topic, group, retries, backoff, fatal, Objects.requireNonNull(deserializer, "deserializer"), cluster, concurrency);
    }

    /** byte[] values, as stored. */
    public TaskSpec<byte[]> bytes() {
        return deserializer(new ByteArrayDeserializer());
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
        return new TaskSpec<>(topic, group, retries, backoff, fatal, deserializer, cluster, concurrency);
    }

    /** Consume from the cluster called {@code name} ({@code flux.clusters.<name>}). */
    public TaskSpec<V> cluster(String name) {
        return new TaskSpec<>(topic, group, retries, backoff, fatal, deserializer, Objects.requireNonNull(name, "cluster"), concurrency);
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
        return StagePlan.of(topic, group, retries);
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

    private static String requireName(String name, String what) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("the task's " + what + " is missing: declare it in its TaskSpec");
        }
        if (!NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("Invalid " + what + " '" + name + "': use 1 to 200 characters from"
                    + " a-z, A-Z, 0-9, '.', '_' and '-'");
        }
        return name;
    }

    @Override
    public String toString() {
        return "TaskSpec[topic=" + topic + ", group=" + group + ", retries=" + retries + ", cluster=" + cluster + ", concurrency=" + concurrency + "]";
    }
}
