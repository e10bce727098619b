package io.superflux.producer;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Counts, inside kafka-clients, the records handed to a producer and not yet acknowledged, and
 * the peak of that number: what a producer's buffer bound is about, seen from outside Flux.
 * Installed with {@code interceptor.classes}.
 */
public final class InFlightInterceptor implements ProducerInterceptor<byte[], byte[]> {
    static final AtomicInteger IN_FLIGHT = new AtomicInteger();
    static final AtomicInteger PEAK = new AtomicInteger();

    static void reset() {
        IN_FLIGHT.set(0);
        PEAK.set(0);
    }

    @Override
    public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
        PEAK.accumulateAndGet(IN_FLIGHT.incrementAndGet(), Math::max);
        return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
        IN_FLIGHT.decrementAndGet();
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
