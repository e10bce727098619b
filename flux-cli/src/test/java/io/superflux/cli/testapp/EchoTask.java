package io.superflux.cli.testapp;

import java.util.concurrent.TimeUnit;

import io.superflux.producer.Producer;
import io.superflux.producer.ProducerSpec;
import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/**
 * A second task for the multi-task tests: its topic comes from {@code -Dcli.test.echo-topic};
 * every message is written to {@code <topic>-sink}.
 */
public final class EchoTask extends Task<String> {
    private final Producer<String> sink;

    public EchoTask() {
        super(TaskSpec.topic(System.getProperty("cli.test.echo-topic", "cli-echo")).group("echo").retries(1));
        sink = Producer.of(ProducerSpec.topic(spec().topic() + "-sink"));
    }

    @Override
    public void call(Message<String> message) throws Exception {
        sink.produce(message.value(), message.key()).get(30, TimeUnit.SECONDS);
    }
}
