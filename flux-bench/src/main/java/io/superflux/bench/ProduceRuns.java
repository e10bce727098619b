package io.superflux.bench;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.superflux.SuperFlux;
import io.superflux.bench.measure.Measurement;
import io.superflux.bench.measure.SteadyWindow;
import io.superflux.producer.Producer;
import io.superflux.producer.ProducerSpec;

/**
 * {@code produce}: one thread sends 100-byte values as fast as the producer takes them; the
 * figure is acknowledged messages per second in the steady-state window. A Flux producer class
 * (its defaults, or tuned like the baseline) against raw {@code KafkaProducer.send} with a
 * callback that checks for errors (tuned, or kafka-clients' defaults).
 */
final class ProduceRuns {
    private ProduceRuns() {
    }

    /** The producer class a user would write. */
    static final class BenchProducer extends Producer<byte[]> {
        BenchProducer(String topic) {
            super(ProducerSpec.topic(topic).bytes());
        }
    }

    /** Flux with its defaults ({@code tuning} null), or with the baseline's batch size and linger. */
    static Measurement flux(String bootstrap, String topic, ProducerTuning tuning) throws InterruptedException {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        SuperFlux.configure(c -> {
            c.brokers(bootstrap).clientId("bench-flux-producer").meterRegistry(meters);
            if (tuning != null) {
                c.producerProperty("batch.size", tuning.batchSize()).deliveryInterval(Duration.ofMillis(tuning.lingerMs()));
            }
        });
        BenchProducer producer = new BenchProducer(topic);
        byte[] value = BenchData.value();
        producer.produce(value);
        SuperFlux.flush();
        FunctionCounter sent = meters.get("flux.producer.sent").tag("topic", topic).functionCounter();
        Measurement measurement = whileSending(() -> producer.produce(value), () -> (long) sent.count());
        SuperFlux.flush();
        SuperFlux.shutdown();
        return measurement;
    }

    /** Raw {@code KafkaProducer} with these settings. */
    static Measurement raw(String topic, Map<String, Object> props) throws InterruptedException {
        LongAdder acknowledged = new LongAdder();
        LongAdder errors = new LongAdder();
        Callback callback = (metadata, error) -> {
            if (error == null) {
                acknowledged.increment();
            } else {
                errors.increment();
            }
        };
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            byte[] value = BenchData.value();
            Measurement measurement = whileSending(() -> producer.send(new ProducerRecord<>(topic, value), callback), acknowledged::sum);
            producer.flush();
            producer.close(Duration.ofSeconds(10));
            if (errors.sum() > 0) {
                throw new IllegalStateException(errors.sum() + " sends failed");
            }
            return measurement;
        }
    }

    /** Sends from one thread until the steady-state window of acknowledgements is measured. */
    private static Measurement whileSending(Runnable sendOne, LongSupplier acknowledged) throws InterruptedException {
        AtomicBoolean sending = new AtomicBoolean(true);
        Thread sender = new Thread(() -> {
            while (sending.get()) {
                sendOne.run();
            }
        }, "bench-sender");
        sender.start();
        try {
            return new SteadyWindow(acknowledged, Long.MAX_VALUE).measure();
        } finally {
            sending.set(false);
            sender.join();
        }
    }
}
