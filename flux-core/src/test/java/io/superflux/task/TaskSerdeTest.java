package io.superflux.task;

import static java.nio.charset.StandardCharsets.UTF_8;
import static io.superflux.task.TaskTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.producer.Producer;
import io.superflux.producer.ProducerSpec;
import io.superflux.retry.StagePlan;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

/** Serializers and deserializers against a real broker: configure, bad values versus failed dependencies, JSON. */
@ExtendWith(EmbeddedKafkaExtension.class)
class TaskSerdeTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    /** A value as JSON. */
    public record Order(String id, int quantity) {
    }

    /** Needs {@code registry.url} (as a Schema Registry deserializer does) and prefixes values with it. */
    static final class RegistryDeserializer implements Deserializer<String> {
        final ConcurrentLinkedQueue<Map<String, ?>> configured = new ConcurrentLinkedQueue<>();
        final AtomicInteger outagesLeft = new AtomicInteger();
        private volatile String registry;

        @Override
        public void configure(Map<String, ?> configs, boolean isKey) {
            configured.add(Map.copyOf(configs));
            registry = (String) configs.get("registry.url");
        }

        @Override
        public String deserialize(String topic, byte[] data) {
            if (registry == null) {
                throw new IllegalStateException("not configured: no registry.url");
            }
            if (outagesLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("registry " + registry + " is not answering"); // not a SerializationException
            }
            return registry + ":" + new String(data, UTF_8);
        }
    }

    /** Needs {@code registry.url} too, on the producing side. */
    static final class RegistrySerializer implements Serializer<String> {
        private volatile String registry;

        @Override
        public void configure(Map<String, ?> configs, boolean isKey) {
            registry = (String) configs.get("registry.url");
        }

        @Override
        public byte[] serialize(String topic, String data) {
            if (registry == null) {
                throw new IllegalStateException("not configured: no registry.url");
            }
            return ("written-with-" + registry + "/" + data).getBytes(UTF_8);
        }
    }

    private static SimpleMeterRegistry configure(EmbeddedKafka kafka) {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        SuperFlux.configure(c -> c.brokers(kafka.bootstrapServers()).clientId("serde-test").retryTimeScale(0.001)
                .set("flux.consumer.commit-interval", "100ms").serdeProperty("registry.url", "http://registry:8081")
                .meterRegistry(meters).shutdownTimeout(Duration.ofSeconds(20)));
        return meters;
    }

    /** A task over any value type that records what it was given. */
    static final class RecordingTask<V> extends Task<V> {
        final ConcurrentLinkedQueue<Message<V>> handled = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Message<V>> deadLetters = new ConcurrentLinkedQueue<>();

        RecordingTask(TaskSpec<V> spec) {
            super(spec);
        }

        @Override
        public void call(Message<V> message) {
            handled.add(message);
        }

        @Override
        public void deadLetter(Message<V> message) {
            deadLetters.add(message);
        }
    }

    @Test
    void deserializersAndSerializersAreConfiguredWithTheClustersSettingsAndTheSerdeProperties(EmbeddedKafka kafka)
            throws Exception {
        configure(kafka);
        String topic = kafka.createUniqueTopic("serde-configure", 1);
        RegistryDeserializer deserializer = new RegistryDeserializer();
        RecordingTask<String> task = new RecordingTask<>(TaskSpec.topic(topic).group("g").retries(1).deserializer(deserializer));
        SuperFlux.start(task);
        Producer.of(ProducerSpec.topic(topic).serializer(new RegistrySerializer())).produce("order-1", "k")
                .get(30, TimeUnit.SECONDS);

        await(WAIT, () -> task.handled.size() == 1, () -> "handled " + task.handled + ", dead " + task.deadLetters);
        assertEquals("http://registry:8081:written-with-http://registry:8081/order-1", task.handled.peek().value());
        assertEquals(1, deserializer.configured.size(), "configured once per worker");
        Map<String, ?> given = deserializer.configured.peek();
        assertEquals(kafka.bootstrapServers(), given.get("bootstrap.servers"));
        assertEquals("http://registry:8081", given.get("registry.url"));
    }

    @ParameterizedTest(name = "concurrency {0}")
    @ValueSource(ints = {1, 4})
    void aDeserializerWhoseRegistryIsDownIsReadAgainLaterAndNothingIsDeadLettered(int concurrency, EmbeddedKafka kafka)
            throws Exception {
        SimpleMeterRegistry meters = configure(kafka);
        String topic = kafka.createUniqueTopic("serde-outage", 2);
        RegistryDeserializer deserializer = new RegistryDeserializer();
        deserializer.outagesLeft.set(4);
        RecordingTask<String> task = new RecordingTask<>(TaskSpec.topic(topic).group("g").retries(1)
                .concurrency(concurrency).deserializer(deserializer));
        StagePlan plan = task.spec().plan();
        Worker worker = SuperFlux.start(task);
        TaskTestSupport.produce(topic, 6, i -> "k" + i);

        await(WAIT, () -> task.handled.size() == 6, () -> "handled " + task.handled.size() + ", dead " + task.deadLetters);
        assertEquals(0, deserializer.outagesLeft.get());
        assertTrue(task.handled.stream().allMatch(m -> m.stage() == 0), "handled in stage 0, not retried through topics");
        assertEquals(0.0, meters.get("flux.task.poison.pills").tag("stage", "0").functionCounter().count());
        worker.stop();
        assertEquals(0, kafka.readAll(plan.stage(plan.deadLetterStage()).topic(), 0, Duration.ofMillis(300)).size());
        assertEquals(0, kafka.readAll(plan.stage(1).topic(), 0, Duration.ofMillis(300)).size());
    }

    @Test
    void jsonValuesRoundTripAndAValueThatIsNotJsonIsAPoisonPill(EmbeddedKafka kafka) throws Exception {
        configure(kafka);
        String topic = kafka.createUniqueTopic("serde-json", 1);
        RecordingTask<Order> task = new RecordingTask<>(TaskSpec.topic(topic).group("g").retries(1).json(Order.class));
        SuperFlux.start(task);
        Producer.of(ProducerSpec.topic(topic).json(Order.class)).produce(new Order("o-1", 3), "k").get(30, TimeUnit.SECONDS);
        try (KafkaProducer<String, String> raw = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            raw.send(new ProducerRecord<>(topic, "k", "{\"id\":\"o-2\",\"quantity\":4,\"note\":\"a field Order lacks\"}")).get();
            raw.send(new ProducerRecord<>(topic, "k", "not json")).get();
        }

        await(WAIT, () -> task.handled.size() == 2 && task.deadLetters.size() == 1,
                () -> "handled " + task.handled + ", dead " + task.deadLetters);
        assertEquals(List.of(new Order("o-1", 3), new Order("o-2", 4)), task.handled.stream().map(Message::value).toList());
        Message<Order> dead = task.deadLetters.peek();
        assertNull(dead.value(), "the hook gets the bad value as null");
        assertEquals("not json", new String(dead.rawValue(), UTF_8));
        assertEquals(List.of(0), dead.failures().stream().map(Failure::stage).toList(), "straight from stage 0");
        assertEquals("org.apache.kafka.common.errors.SerializationException", dead.failures().get(0).exceptionClass());
    }
}
