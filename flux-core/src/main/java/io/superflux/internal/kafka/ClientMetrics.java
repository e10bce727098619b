package io.superflux.internal.kafka;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;

/**
 * kafka-clients' own metrics of a client Flux creates (fetch lag, request latency, batch sizes…),
 * as Micrometer meters ({@code kafka.consumer.*}, {@code kafka.producer.*}, tagged with the
 * client id). Closing the binding removes them.
 */
public final class ClientMetrics implements AutoCloseable {
    private final KafkaClientMetrics metrics;

    private ClientMetrics(KafkaClientMetrics metrics, MeterRegistry registry) {
        this.metrics = metrics;
        metrics.bindTo(registry);
    }

    /** Binds {@code consumer}'s metrics to {@code registry}. */
    public static ClientMetrics of(Consumer<?, ?> consumer, MeterRegistry registry) {
        return new ClientMetrics(new KafkaClientMetrics(consumer), registry);
    }

    /** Binds {@code producer}'s metrics to {@code registry}. */
    public static ClientMetrics of(Producer<?, ?> producer, MeterRegistry registry) {
        return new ClientMetrics(new KafkaClientMetrics(producer), registry);
    }

    @Override
    public void close() {
        metrics.close();
    }
}
