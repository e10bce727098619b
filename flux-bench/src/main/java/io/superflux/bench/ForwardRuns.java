package io.superflux.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.bench.measure.Measurement;
import io.superflux.bench.measure.SteadyWindow;
import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/**
 * {@code forward}: every record fails once and goes to the first retry topic. Flux's stage 0
 * against a raw consume → produce(acks=all, idempotent) → commit pipeline; both count a record
 * when its forward is acknowledged.
 */
final class ForwardRuns {
    private ForwardRuns() {
    }

    /** A task whose every call fails. */
    static final class FailingTask extends Task<byte[]> {
        FailingTask(String topic, String group) {
            super(TaskSpec.topic(topic).group(group).retries(1).bytes());
        }

        @Override
        public void call(Message<byte[]> message) {
            throw new IllegalStateException("fails once");
        }
    }

    /** Flux's stage 0; {@code exactlyOnce}: with {@code flux.delivery = exactly-once} (forward-eos). */
    static Measurement flux(String bootstrap, String topic, String group, long count, boolean exactlyOnce)
            throws InterruptedException {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        SuperFlux.configure(c -> c.brokers(bootstrap).clientId("bench-flux").meterRegistry(meters)
                .set("flux.delivery", exactlyOnce ? "exactly-once" : "at-least-once"));
        Worker worker = SuperFlux.start(new FailingTask(topic, group), "0");
        FunctionCounter forwarded = meters.get("flux.task.forwarded").tag("stage", "0").functionCounter();
        Measurement measurement = new SteadyWindow(() -> (long) forwarded.count(), count).measure();
        worker.stop();
        SuperFlux.shutdown();
        return measurement;
    }

    /** The raw pipeline, its producer tuned like the produce baseline. */
    static Measurement raw(String bootstrap, String topic, String group, String target, long count, ProducerTuning tuning)
            throws InterruptedException {
        Completion completion = new Completion(count);
        AtomicLong failed = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread loop = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Kafka.consumer(bootstrap, group),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
                 KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Kafka.producer(bootstrap, tuning),
                         new ByteArraySerializer(), new ByteArraySerializer())) {
                consumer.subscribe(List.of(topic));
                while (running.get()) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                    if (records.isEmpty()) {
                        continue;
                    }
                    for (var record : records) {
                        producer.send(new ProducerRecord<>(target, record.partition(), record.key(), record.value(),
                                record.headers()), (metadata, error) -> {
                                    if (error == null) {
                                        completion.record();
                                    } else {
                                        failed.incrementAndGet();
                                    }
                                });
                    }
                    producer.flush(); // never commit past a record whose forward is not acknowledged
                    consumer.commitAsync();
                }
            }
        }, "bench-raw-pipeline");
        loop.start();
        try {
            Measurement measurement = completion.measureSteady();
            if (failed.get() > 0) {
                throw new IllegalStateException(failed.get() + " forwards failed");
            }
            return measurement;
        } finally {
            running.set(false);
            loop.join();
        }
    }
}
