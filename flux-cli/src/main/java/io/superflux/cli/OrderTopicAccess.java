package io.superflux.cli;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.superflux.FluxConfig;
import io.superflux.internal.kafka.ClientProperties;
import io.superflux.internal.stage.order.HeldKeys;
import io.superflux.internal.stage.order.OrderEntries;
import io.superflux.retry.Stage;
import io.superflux.task.Task;

/** What the commands read of a task's order topic (ordered retries), and an operator's release of a held key. */
final class OrderTopicAccess {
    private OrderTopicAccess() {
    }

    /** The order topic of {@code task}. */
    static String topic(Task<?> task) {
        return OrderEntries.topic(task.spec().topic(), task.spec().group());
    }

    /** The keys {@code task}'s order topic holds now, oldest hold first. */
    static List<HeldKeys.Held> held(Task<?> task, FluxConfig config) {
        Map<String, Object> properties = ClientProperties.consumer(config.cluster(task.spec().cluster()),
                config.consumerProperties(), task.spec().group() + "-order-reader", Stage.Kind.MAIN);
        properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        properties.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            return HeldKeys.read(consumer, topic(task), config.startupTimeout());
        }
    }

    /** Releases {@code held}: its leader counts as done, so its parked records go on in their order. */
    static void release(Task<?> task, FluxConfig config, HeldKeys.Held held) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(ClientProperties.forwarder(
                config.cluster(task.spec().cluster()), config.producer().properties(), task.spec().group() + "-order-release"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            HeldKeys.release(producer, topic(task), held, config.startupTimeout());
        }
    }

    /** A key as the commands print it: UTF-8 text. */
    static String text(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }
}
