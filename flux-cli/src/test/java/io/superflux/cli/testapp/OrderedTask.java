package io.superflux.cli.testapp;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.superflux.producer.Producer;
import io.superflux.producer.ProducerSpec;
import io.superflux.retry.Backoff;
import io.superflux.task.KeyOrder;
import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/**
 * {@link RecordingTask}'s plan with ordered retries whose dead letters hold their key: one retry,
 * 200 ms apart; {@code poison…} always fails; every handled value goes to {@code <topic>-sink}.
 */
public final class OrderedTask extends Task<String> {
    private final Producer<String> sink;

    public OrderedTask() {
        super(TaskSpec.topic(System.getProperty("cli.test.topic", "cli-test")).group("ordered").retries(1)
                .backoff(Backoff.fixed(Duration.ofMillis(200))).keyOrder(KeyOrder.ordered().holdAfterDeadLetter()));
        sink = Producer.of(ProducerSpec.topic(spec().topic() + "-sink"));
    }

    @Override
    public void call(Message<String> message) throws Exception {
        if (message.value().startsWith("poison")) {
            throw new IllegalStateException("poison: " + message.value());
        }
        sink.produce(message.value(), message.key()).get(30, TimeUnit.SECONDS);
    }
}
