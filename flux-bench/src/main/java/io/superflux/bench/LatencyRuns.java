package io.superflux.bench;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.bench.measure.Latencies;
import io.superflux.bench.measure.Measurement;
import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/**
 * {@code latency}: records produced at a fixed rate (a burst every millisecond), each carrying
 * its send time ({@code System.nanoTime()}, same JVM); latency = the consumer's call − send time.
 * The same load producer ({@code linger.ms} 0, acks=all) feeds Flux's stage 0, the lean raw poll
 * loop and a Spring Kafka record listener. 10 s of warm-up, then a 30 s window (a p99 over 10 s
 * moved by ±5 ms from run to run of the same side).
 */
final class LatencyRuns {
    private static final long WARM_UP_MS = 10_000;
    private static final long WINDOW_MS = 30_000;

    private LatencyRuns() {
    }

    /** How a side starts consuming and stops; calls {@code latencies} for every record. */
    interface Side {
        AutoCloseable start(Latencies latencies) throws Exception;
    }

    /** A stage-0 task that notes each record's latency. */
    static final class LatencyTask extends Task<byte[]> {
        private final Latencies latencies;

        LatencyTask(String topic, String group, Latencies latencies) {
            super(TaskSpec.topic(topic).group(group).retries(1).bytes());
            this.latencies = latencies;
        }

        @Override
        public void call(Message<byte[]> message) {
            latencies.record(System.nanoTime() - ByteBuffer.wrap(message.value()).getLong());
        }
    }

    static Measurement flux(String bootstrap, String topic, String group, int rate) throws Exception {
        return measure(bootstrap, topic, rate, latencies -> {
            SuperFlux.configure(c -> c.brokers(bootstrap).clientId("bench-flux"));
            Worker worker = SuperFlux.start(new LatencyTask(topic, group, latencies), "0");
            return () -> {
                worker.stop();
                SuperFlux.shutdown();
            };
        });
    }

    /** The lean raw loop: poll, handle, commit asynchronously once a second. */
    static Measurement raw(String bootstrap, String topic, String group, int rate) throws Exception {
        return measure(bootstrap, topic, rate, latencies -> new RawPollLoop(bootstrap, topic, group, false,
                record -> latencies.record(System.nanoTime() - ByteBuffer.wrap(record.value()).getLong())));
    }

    /** A Spring Kafka record listener, asynchronous commits. */
    static Measurement spring(String bootstrap, String topic, String group, int rate) throws Exception {
        return measure(bootstrap, topic, rate, latencies -> ConsumeRuns.springContainer(bootstrap, topic, group, false, 1,
                record -> latencies.record(System.nanoTime() - ByteBuffer.wrap(record.value()).getLong())));
    }

    private static Measurement measure(String bootstrap, String topic, int rate, Side side) throws Exception {
        Latencies latencies = new Latencies((int) (rate * (WARM_UP_MS + WINDOW_MS + 5_000) / 1000));
        try (AutoCloseable consuming = side.start(latencies);
             FixedRateSender sender = new FixedRateSender(bootstrap, topic, rate)) {
            Thread.sleep(WARM_UP_MS);
            int from = latencies.count();
            Measurement measurement = new Measurement();
            measurement.start();
            Thread.sleep(WINDOW_MS);
            int to = latencies.count();
            measurement.stop(to - from);
            latencies.summarise(from, to, measurement);
            measurement.put("sent_per_s", sender.rate());
            return measurement;
        }
    }

    /** Sends {@code rate} records a second from its own thread, a burst each millisecond, each stamped with its send time. */
    static final class FixedRateSender implements AutoCloseable {
        private final KafkaProducer<byte[], byte[]> producer;
        private final Thread thread;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private volatile long sent;
        private final long startNanos = System.nanoTime();

        FixedRateSender(String bootstrap, String topic, int rate) {
            Map<String, Object> props = Kafka.producer(bootstrap, new ProducerTuning(16_384, 0));
            props.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-load");
            producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
            int perMilli = Math.max(1, rate / 1000);
            thread = new Thread(() -> {
                long next = System.nanoTime();
                int key = 0;
                while (running.get()) {
                    for (int i = 0; i < perMilli; i++) {
                        byte[] value = new byte[BenchData.VALUE_BYTES];
                        ByteBuffer.wrap(value).putLong(System.nanoTime());
                        producer.send(new ProducerRecord<>(topic, Integer.toString(key++ % 1_000).getBytes(), value));
                    }
                    sent += perMilli;
                    next += 1_000_000;
                    LockSupport.parkNanos(next - System.nanoTime());
                }
            }, "bench-load");
            thread.start();
        }

        double rate() {
            return sent / ((System.nanoTime() - startNanos) / 1e9);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
            producer.close(Duration.ofSeconds(10));
        }
    }
}
