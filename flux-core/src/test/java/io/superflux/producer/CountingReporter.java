package io.superflux.producer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;

/**
 * A kafka-clients metrics reporter that counts the clients created per client.id: each
 * KafkaProducer instantiates its reporters once, so this counts KafkaProducer instances from
 * outside Flux.
 */
public final class CountingReporter implements MetricsReporter {
    static final Map<String, AtomicInteger> CLIENTS = new ConcurrentHashMap<>();

    @Override
    public void configure(Map<String, ?> configs) {
        CLIENTS.computeIfAbsent(String.valueOf(configs.get("client.id")), id -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public void init(List<KafkaMetric> metrics) {
    }

    @Override
    public void metricChange(KafkaMetric metric) {
    }

    @Override
    public void metricRemoval(KafkaMetric metric) {
    }

    @Override
    public void close() {
    }
}
