package io.superflux.task;

import static io.superflux.task.TaskTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

/** Stopping every stage mid-run and starting again loses nothing and, being graceful, repeats nothing. */
@ExtendWith(EmbeddedKafkaExtension.class)
class TaskRestartTest {
    private static final int MESSAGES = 3_000;

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    @Test
    void stoppingMidRunAndStartingAgainLosesNothing(EmbeddedKafka kafka) throws Exception {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("restart", 4);
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(2), message -> {
            int i = Integer.parseInt(message.value());
            if (i % 10 == 0 && failedOnce.add(message.value())) {
                throw new IllegalStateException("once");
            }
            Thread.sleep(1); // slow enough to be stopped in the middle
        });
        TaskTestSupport.produce(topic, MESSAGES, i -> "key-" + (i % 50));

        Worker first = SuperFlux.start(task);
        await(Duration.ofSeconds(30), () -> task.handled.size() >= 500, () -> "handled " + task.handled.size());
        first.stop();
        assertFalse(first.isRunning());
        int handledByFirst = task.handled.size();

        Worker second = SuperFlux.start(task);
        await(Duration.ofSeconds(60), () -> new HashSet<>(values(task)).size() == MESSAGES,
                () -> "distinct handled " + new HashSet<>(values(task)).size() + " (first worker: " + handledByFirst + ")");
        Thread.sleep(500);
        second.stop();

        List<String> handled = values(task);
        assertEquals(MESSAGES, new HashSet<>(handled).size(), "nothing lost");
        assertEquals(MESSAGES, handled.size(), "nothing handled twice after a graceful stop");
        assertEquals(List.of(), List.copyOf(task.earlyCalls));
    }

    private static List<String> values(ScriptedTask task) {
        return task.handled.stream().map(Message::value).toList();
    }
}
