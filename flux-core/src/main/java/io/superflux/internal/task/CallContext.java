package io.superflux.internal.task;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.MDC;

/**
 * The SLF4J MDC during a call: {@code task}, {@code stage}, {@code topic}, {@code partition},
 * {@code offset} and {@code key}, so every line logged inside {@code call} or {@code deadLetter} —
 * the task's own too — says which record it is about (the JSON log format shows them). A stage's
 * threads run only that stage's records, so task, stage and topic are set once (again only if the
 * task cleared them) and stay; the record's own fields are set per call and removed after it.
 */
final class CallContext {
    private final String task;
    private final String stage;

    CallContext(String task, int stage) {
        this.task = task;
        this.stage = Integer.toString(stage);
    }

    void enter(ConsumerRecord<byte[], byte[]> record, String key) {
        if (!task.equals(MDC.get("task"))) { // already set on this thread unless the task cleared it
            MDC.put("task", task);
            MDC.put("stage", stage);
            MDC.put("topic", record.topic());
        }
        MDC.put("partition", Integer.toString(record.partition()));
        MDC.put("offset", Long.toString(record.offset()));
        if (key != null) {
            MDC.put("key", key);
        }
    }

    static void leave() {
        MDC.remove("partition");
        MDC.remove("offset");
        MDC.remove("key");
    }
}
