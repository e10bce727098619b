package io.superflux.task;

import static io.superflux.task.TaskTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.superflux.SuperFlux;
import io.superflux.producer.Producer;
import io.superflux.producer.ProducerSpec;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

/**
 * 10,000 keyed messages; every tenth fails once, every hundredth (offset by one) always fails.
 * Each one must end handled or dead-lettered, exactly once; stage 0 keeps partition order.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class TaskLoadTest {
    private static final int MESSAGES = 10_000;

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    private static boolean failsOnce(int i) {
        return i % 10 == 0;
    }

    private static boolean alwaysFails(int i) {
        return i % 100 == 1;
    }

    @Test
    void everyMessageEndsHandledOrDeadLetteredExactlyOnceAndStageZeroKeepsOrder(EmbeddedKafka kafka) throws Exception {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("load", 6);
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        ScriptedTask task = new ScriptedTask(TaskSpec.topic(topic).group("g").retries(2), message -> {
            int i = Integer.parseInt(message.value());
            if (alwaysFails(i) || (failsOnce(i) && failedOnce.add(message.value()))) {
                throw new IllegalStateException("failing " + i);
            }
        });
        TaskTestSupport.produce(topic, MESSAGES, i -> "key-" + (i % 500));
        SuperFlux.start(task);

        await(Duration.ofSeconds(90), () -> task.handled.size() + task.deadLetters.size() >= MESSAGES,
                () -> "handled " + task.handled.size() + ", dead letters " + task.deadLetters.size());
        Thread.sleep(1_000); // anything handled twice would show up now
        SuperFlux.shutdown();

        List<String> handled = task.handled.stream().map(Message::value).toList();
        List<String> dead = task.deadLetters.stream().map(Message::value).toList();
        Set<String> expectedDead = IntStream.range(0, MESSAGES).filter(TaskLoadTest::alwaysFails)
                .mapToObj(Integer::toString).collect(Collectors.toSet());
        assertEquals(MESSAGES - expectedDead.size(), new HashSet<>(handled).size(), "every other message handled");
        assertEquals(handled.size(), new HashSet<>(handled).size(), "none handled twice");
        assertEquals(expectedDead, new HashSet<>(dead), "the always-failing ones are dead letters");
        assertEquals(expectedDead.size(), dead.size(), "each dead-lettered once");
        assertTrue(new HashSet<>(handled).stream().noneMatch(expectedDead::contains));
        assertEquals(1_000, task.handled.stream().filter(m -> m.stage() == 1).count(), "the fail-once ones in stage 1");
        assertEquals(List.of(), List.copyOf(task.earlyCalls), "no retry before its due time");
        assertEquals(expectedDead.size(), kafka.readAll(task.spec().plan().stage(3).topic(), expectedDead.size(),
                Duration.ofSeconds(20)).size());

        // Stage 0 order: per partition offsets ascend, hence per key the values in the order produced.
        Map<Integer, List<Long>> offsets = new HashMap<>();
        Map<String, List<Integer>> perKey = new HashMap<>();
        for (ScriptedTask.Call call : task.callsInStage(0)) {
            offsets.computeIfAbsent(call.message().partition(), p -> new ArrayList<>()).add(call.message().offset());
            perKey.computeIfAbsent(call.message().key(), k -> new ArrayList<>()).add(Integer.parseInt(call.message().value()));
        }
        assertEquals(MESSAGES, task.callsInStage(0).size());
        offsets.forEach((partition, list) -> {
            for (int i = 1; i < list.size(); i++) {
                assertTrue(list.get(i) > list.get(i - 1), "partition " + partition + " out of order at " + i);
            }
        });
        perKey.forEach((key, values) -> {
            for (int i = 1; i < values.size(); i++) {
                assertTrue(values.get(i) > values.get(i - 1), key + " out of order: " + values);
            }
        });
        Producer.of(ProducerSpec.topic(topic)).produce("late").get(10, TimeUnit.SECONDS); // producers work after a shutdown
    }
}
