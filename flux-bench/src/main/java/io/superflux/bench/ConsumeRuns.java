package io.superflux.bench;

import java.util.Map;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.MessageListener;

import io.superflux.bench.measure.Measurement;

import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/** {@code consume}: Flux's main stage with a no-op task against raw poll loops and Spring Kafka. */
final class ConsumeRuns {

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

    /** {@link RawPollLoop}: committing once a second (the baseline), or after every poll (reported only). */
    static Measurement raw(String bootstrap, String topic, String group, long count, boolean commitEveryPoll)
            throws InterruptedException {
        Completion completion = new Completion(count);
        try (RawPollLoop loop = new RawPollLoop(bootstrap, topic, group, commitEveryPoll, record -> completion.record())) {
            return completion.measureSteady();
        }
    }

    /**
     * Starts a Spring Kafka record listener container ({@code syncCommits} false as Spring's docs
     * advise for throughput, or Spring's defaults) with {@code concurrency} consumers; closing it stops it.
     */
    static AutoCloseable springContainer(String bootstrap, String topic, String group, boolean springDefaults,
                                         int concurrency, MessageListener<byte[], byte[]> work) {
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
        return container::stop;
    }

    /** A Spring container's steady-state window over a topic of {@code count} records. */
    static Measurement spring(String bootstrap, String topic, String group, boolean springDefaults, int concurrency,
                              MessageListener<byte[], byte[]> work, Completion completion) throws Exception {
        try (AutoCloseable container = springContainer(bootstrap, topic, group, springDefaults, concurrency, work)) {
            return completion.measureSteady();
        }
    }

    static Measurement spring(String bootstrap, String topic, String group, long count, boolean springDefaults)
            throws Exception {
        Completion completion = new Completion(count);
        return spring(bootstrap, topic, group, springDefaults, 1, record -> completion.record(), completion);
    }
}
