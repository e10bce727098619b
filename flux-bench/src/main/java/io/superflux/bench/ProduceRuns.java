package io.superflux.bench;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.superflux.SuperFlux;
import io.superflux.producer.Producer;
import io.superflux.producer.ProducerSpec;

/** {@code produce}: a Flux producer class against raw {@code KafkaProducer.send}, same settings, 100-byte values. */
final class ProduceRuns {
    private static final int WARM_UP = 20_000;

    private ProduceRuns() {
    }

    /** The producer class a user would write. */
    static final class BenchProducer extends Producer<byte[]> {
        BenchProducer(String topic) {
            super(ProducerSpec.topic(topic).bytes());
        }
    }

    static Measurement flux(String bootstrap, String topic, int count) {
        SuperFlux.configure(c -> c.brokers(bootstrap).clientId("bench-flux-producer"));
        BenchProducer producer = new BenchProducer(topic);
        byte[] value = BenchData.value();
        for (int i = 0; i < WARM_UP; i++) {
            producer.produce(value);
        }
        SuperFlux.flush();
        Measurement measurement = new Measurement();
        measurement.start();
        for (int i = 0; i < count; i++) {
            producer.produce(value);
        }
        SuperFlux.flush();
        measurement.stop();
        measurement.put("value", count / measurement.get("seconds"));
        SuperFlux.shutdown();
        return measurement;
    }

    static Measurement raw(String bootstrap, String topic, int count) {
        AtomicLong errors = new AtomicLong();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Kafka.producer(bootstrap),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            byte[] value = BenchData.value();
            for (int i = 0; i < WARM_UP; i++) {
                producer.send(new ProducerRecord<>(topic, value));
            }
            producer.flush();
            Measurement measurement = new Measurement();
            measurement.start();
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, value), (metadata, error) -> {
                    if (error != null) {
                        errors.incrementAndGet();
                    }
                });
            }
            producer.flush();
            measurement.stop();
            measurement.put("value", count / measurement.get("seconds"));
            producer.close(Duration.ofSeconds(10));
            if (errors.get() > 0) {
                throw new IllegalStateException(errors.get() + " sends failed");
            }
            return measurement;
        }
    }
}
