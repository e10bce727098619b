package io.superflux.internal.producer;

import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.superflux.producer.Delivery;

/** Sends to one topic through its cluster's shared producer and counts the outcomes. */
public final class TopicSender {
    private final ClusterProducer producer;
    private final String topic;
    // LongAdders read by function counters: a fraction of a registry counter's cost per message.
    final LongAdder sent = new LongAdder();
    final LongAdder failed = new LongAdder();
    private final MeterRegistry meters;
    private final java.util.List<io.micrometer.core.instrument.Meter> registered = new java.util.ArrayList<>();

    TopicSender(ClusterProducer producer, String cluster, String topic, MeterRegistry meters) {
        this.producer = producer;
        this.topic = topic;
        this.meters = meters;
        registered.add(FunctionCounter.builder("flux.producer.sent", sent, LongAdder::sum)
                .description("messages acknowledged by Kafka").tag("cluster", cluster).tag("topic", topic).register(meters));
        registered.add(FunctionCounter.builder("flux.producer.errors", failed, LongAdder::sum)
                .description("messages Kafka did not accept").tag("cluster", cluster).tag("topic", topic).register(meters));
    }

    /** Sends a record whose key and value are already bytes. */
    public CompletableFuture<Delivery> send(ProducerRecord<byte[], byte[]> record) {
        return producer.send(record, this);
    }

    /** False once the cluster's producer was closed (after a shutdown): look the sender up again. */
    public boolean isOpen() {
        return !producer.isClosed();
    }

    /** Sends buffered messages of the cluster now and waits for them. */
    public void flush() {
        producer.flush();
    }

    String topic() {
        return topic;
    }

    /** Removes this sender's meters: a restarted producer registers its own. */
    void removeMeters() {
        registered.forEach(meters::remove);
    }
}
