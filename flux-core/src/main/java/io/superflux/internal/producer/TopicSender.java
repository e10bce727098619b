package io.superflux.internal.producer;

import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.producer.ProducerRecord;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.superflux.producer.Delivery;

/** Sends to one topic through its cluster's shared producer and counts the outcomes. */
public final class TopicSender {
    private final ClusterProducer producer;
    private final String topic;
    final Counter sent;
    final Counter failed;

    TopicSender(ClusterProducer producer, String cluster, String topic, MeterRegistry meters) {
        this.producer = producer;
        this.topic = topic;
        this.sent = Counter.builder("flux.producer.sent").description("messages acknowledged by Kafka")
                .tag("cluster", cluster).tag("topic", topic).register(meters);
        this.failed = Counter.builder("flux.producer.errors").description("messages Kafka did not accept")
                .tag("cluster", cluster).tag("topic", topic).register(meters);
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
}
