package io.superflux.internal.task;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.MDC;

import io.superflux.retry.Stage;

/**
 * The SLF4J MDC during a call: {@code task}, {@code stage}, {@code topic}, {@code partition},
 * {@code offset} and {@code key}, so every line logged inside {@code call} or {@code deadLetter} —
 * the task's own too — says which record it is about (the JSON log format shows them).
 */
final class CallContext {
    private CallContext() {
    }

    static void enter(String task, Stage stage, ConsumerRecord<byte[], byte[]> record, String key) {
        MDC.put("task", task);
        MDC.put("stage", Integer.toString(stage.number()));
        MDC.put("topic", record.topic());
        MDC.put("partition", Integer.toString(record.partition()));
        MDC.put("offset", Long.toString(record.offset()));
        if (key != null) {
            MDC.put("key", key);
        }
    }

    static void leave() {
        MDC.remove("task");
        MDC.remove("stage");
        MDC.remove("topic");
        MDC.remove("partition");
        MDC.remove("offset");
        MDC.remove("key");
    }
}
