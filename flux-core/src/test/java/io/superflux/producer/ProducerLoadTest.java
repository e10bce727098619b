package io.superflux.producer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.superflux.SuperFlux;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

@ExtendWith(EmbeddedKafkaExtension.class)
class ProducerLoadTest {
    private static final int THREADS = 8;
    private static final int PER_THREAD = 12_500;

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    @Test
    void hundredThousandMessagesFromEightThreadsAreAllReadableOnceAfterShutdown(EmbeddedKafka kafka) throws Exception {
        SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).maxBufferSize(5_000));
        String topic = kafka.createUniqueTopic("load", 4);
        TopicProducer producer = new TopicProducer(topic);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> producing = IntStream.range(0, THREADS).mapToObj(t -> pool.submit(() -> {
            for (int i = 0; i < PER_THREAD; i++) {
                producer.produce(t + ":" + i, "key-" + (i % 100));
            }
        })).collect(Collectors.toList());
        for (Future<?> f : producing) {
            f.get(2, TimeUnit.MINUTES);
        }
        pool.shutdown();
        // No flush and no waiting for futures: shutdown alone must deliver everything buffered.
        SuperFlux.shutdown();

        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll(topic, THREADS * PER_THREAD, Duration.ofSeconds(60));
        Set<String> distinct = new HashSet<>();
        records.forEach(r -> distinct.add(new String(r.value(), UTF_8)));
        assertEquals(THREADS * PER_THREAD, distinct.size(), "every message arrived");
        assertEquals(THREADS * PER_THREAD, records.size(), "no message arrived twice");
    }
}
