package io.superflux.task;

import java.util.List;

import com.typesafe.config.Config;

import io.micrometer.core.instrument.MeterRegistry;
import io.superflux.FluxConfig;
import io.superflux.producer.Producer;
import io.superflux.producer.ProducerSpec;
import io.superflux.retry.Stage;
import io.superflux.retry.StagePlan;

/**
 * What a task is given when it opens ({@link Task#open(TaskContext)}) or is created by its
 * factory method ({@code public static MyTask create(TaskContext)}): the application's own
 * configuration, the meter registry, a way to produce, and the task's stages. Thread-safe.
 */
public interface TaskContext {
    /**
     * The application's own configuration: every key outside {@code flux { }}, from the same
     * sources as Flux's (lowest first): the {@code reference.conf} and {@code application.conf}
     * of the loaded jars, the {@code --config} file, {@code -D} system properties. Environment
     * variables come in as HOCON substitutions ({@code url = ${?ORDERS_DB_URL}}). Resolved.
     */
    Config config();

    /** Flux's own settings in force (clusters, producer, consumer, delivery). */
    FluxConfig fluxConfig();

    /** Where Flux registers its meters: a task's own meters registered here show in {@code /metrics}. */
    MeterRegistry meterRegistry();

    /**
     * A producer for {@code spec}, as {@link Producer#of(ProducerSpec)}: it shares its cluster's
     * one Kafka producer with every other, and Flux flushes it when it shuts down.
     */
    <V> Producer<V> producer(ProducerSpec<V> spec);

    /** The task's class name without its package, as in the {@code task} tag of Flux's meters. */
    String taskName();

    /**
     * The task's stages, topics and groups.
     *
     * @throws IllegalStateException in a factory method: the plan is the created task's; read it in {@code open}
     */
    StagePlan plan();

    /**
     * The stages this worker runs (all, or those {@code --stages} selected).
     *
     * @throws IllegalStateException in a factory method: the stages are known once the task exists; read them in
     *                               {@code open}
     */
    List<Stage> stages();
}
