package io.superflux.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.MessageListener;

import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/** {@code consume}: Flux's main stage with a no-op task against a raw poll loop and Spring Kafka. */
final class ConsumeRuns {
    private static final long TIMEOUT_SECONDS = 600;

    private ConsumeRuns() {
    }

    /** A task that only counts. */
    static final class CountingTask extends Task<byte[]> {
        private final Completion completion;

        CountingTask(String topic, String group, int concurrency, Completion completion) {
            super(TaskSpec.topic(topic).group(group).retries(1).bytes().concurrency(concurrency));
            this.completion = completion;
        }

        @Override
        public void call(Message<byte[]> message) {
            completion.record();
        }
    }

    static Measurement flux(String bootstrap, String topic, String group, long count) throws InterruptedException {
        return FluxStageRun.mainStage(bootstrap, count, completion -> new CountingTask(topic, group, 1, completion));
    }

    /** A raw KafkaConsumer loop committing asynchronously after every poll. */
    static Measurement raw(String bootstrap, String topic, String group, long count) throws InterruptedException {
        Completion completion = new Completion(count);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Kafka.consumer(bootstrap, group),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (completion.count() < count) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                for (var record : records) {
                    completion.record();
                }
                if (!records.isEmpty()) {
                    consumer.commitAsync();
                }
            }
            consumer.commitSync();
        }
        return completion.await(1);
    }

    /** A Spring Kafka record listener; {@code syncCommits} false as asked, or Spring's defaults. */
    static Measurement spring(String bootstrap, String topic, String group, long count, boolean springDefaults,
                              int concurrency, MessageListener<byte[], byte[]> work, Completion completion)
            throws InterruptedException {
        Map<String, Object> props = Kafka.consumer(bootstrap, group);
        DefaultKafkaConsumerFactory<byte[], byte[]> factory = new DefaultKafkaConsumerFactory<>(props,
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        ContainerProperties containerProperties = new ContainerProperties(topic);
        containerProperties.setMessageListener(work);
        if (!springDefaults) {
            containerProperties.setSyncCommits(false);
        }
        ConcurrentMessageListenerContainer<byte[], byte[]> container =
                new ConcurrentMessageListenerContainer<>(factory, containerProperties);
        container.setConcurrency(concurrency);
        container.start();
        try {
            return completion.await(TIMEOUT_SECONDS);
        } finally {
            container.stop();
        }
    }

    static Measurement spring(String bootstrap, String topic, String group, long count, boolean springDefaults)
            throws InterruptedException {
        Completion completion = new Completion(count);
        return spring(bootstrap, topic, group, count, springDefaults, 1, record -> completion.record(), completion);
    }
}
