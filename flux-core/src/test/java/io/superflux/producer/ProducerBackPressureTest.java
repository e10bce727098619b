package io.superflux.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.superflux.SuperFlux;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

/**
 * At max-buffer-size unacknowledged messages produce waits. Seen from outside Flux, inside
 * kafka-clients (a producer interceptor): records handed to Kafka and not yet acknowledged never
 * exceed the limit. With the bound removed the peak is the whole load.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class ProducerBackPressureTest {
    private static final int MAX_BUFFER = 50;
    private static final int THREADS = 4;
    private static final int PER_THREAD = 5_000;

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    @Test
    void neverMoreThanMaxBufferSizeMessagesAreUnacknowledged(EmbeddedKafka kafka) throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        InFlightInterceptor.reset();
        SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).maxBufferSize(MAX_BUFFER).meterRegistry(meters)
                .producerProperty("interceptor.classes", InFlightInterceptor.class.getName()));
        String topic = kafka.createUniqueTopic("pressure", 2);
        TopicProducer producer = new TopicProducer(topic);
        AtomicInteger outstanding = new AtomicInteger();
        AtomicInteger gaugePeak = new AtomicInteger();

        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> producing = IntStream.range(0, THREADS).mapToObj(t -> pool.submit(() -> {
            for (int i = 0; i < PER_THREAD; i++) {
                CompletableFuture<Delivery> delivery = producer.produce("m" + t + "-" + i, "k" + i);
                outstanding.incrementAndGet();
                delivery.whenComplete((d, e) -> outstanding.decrementAndGet());
                gaugePeak.accumulateAndGet((int) meters.get("flux.producer.unacknowledged").gauge().value(), Math::max);
            }
        })).collect(Collectors.toList());
        for (Future<?> f : producing) {
            f.get(2, TimeUnit.MINUTES);
        }
        pool.shutdown();
        SuperFlux.flush();
        SuperFlux.shutdown(); // every delivery completed, dependent actions included

        assertTrue(InFlightInterceptor.PEAK.get() <= MAX_BUFFER, "peak unacknowledged in kafka-clients "
                + InFlightInterceptor.PEAK.get());
        assertTrue(gaugePeak.get() <= MAX_BUFFER, "peak of the unacknowledged gauge " + gaugePeak.get());
        assertEquals(0, outstanding.get());
        assertEquals(THREADS * PER_THREAD, kafka.readAll(topic, THREADS * PER_THREAD, Duration.ofSeconds(60)).size());
    }
}
