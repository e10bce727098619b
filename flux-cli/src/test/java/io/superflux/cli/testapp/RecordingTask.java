package io.superflux.cli.testapp;

import java.util.concurrent.TimeUnit;

import io.superflux.producer.Producer;
import io.superflux.producer.ProducerSpec;
import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/**
 * The task the end-to-end tests run in {@code flux process} child JVMs (loaded with --load from the
 * test classes). Its topic comes from {@code -Dcli.test.topic}. Every handled message is written
 * (and acknowledged) to {@code <topic>-sink}, so the test reads from Kafka what was handled.
 * {@code poison…} always fails (IllegalStateException), {@code invalid…} too (IllegalArgumentException);
 * {@code flaky…} fails in stage 0; {@code hang…} takes
 * {@code -Dcli.test.hang-ms} (default 4000) in stage 0; {@code log…} logs a line.
 */
public final class RecordingTask extends Task<String> {
    private final Producer<String> sink;

    public RecordingTask() {
        super(TaskSpec.topic(System.getProperty("cli.test.topic", "cli-test")).group("recorder").retries(2));
        sink = Producer.of(ProducerSpec.topic(spec().topic() + "-sink"));
    }

    @Override
    public void call(Message<String> message) throws Exception {
        String value = message.value();
        if (value.startsWith("poison")) {
            throw new IllegalStateException("poison: " + value);
        }
        if (value.startsWith("invalid")) {
            throw new IllegalArgumentException("invalid: " + value);
        }
        if (value.startsWith("log")) {
            org.slf4j.LoggerFactory.getLogger(RecordingTask.class).info("the task says hello to {}", value);
        }
        if (value.startsWith("hang") && message.stage() == 0) {
            Thread.sleep(Long.getLong("cli.test.hang-ms", 4_000));
        }
        if (value.startsWith("flaky") && message.stage() == 0) {
            throw new IllegalStateException("flaky: " + value);
        }
        Thread.sleep(1); // slow enough that a SIGTERM lands in the middle of a run
        sink.produce(value, message.key()).get(30, TimeUnit.SECONDS);
    }
}
