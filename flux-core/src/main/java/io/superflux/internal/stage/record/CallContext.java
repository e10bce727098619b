package io.superflux.internal.stage.record;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.MDC;

/**
 * The SLF4J MDC of one thread that runs calls: {@code task}, {@code stage}, {@code topic},
 * {@code partition}, {@code offset} and {@code key}, so every line logged inside {@code call} or
 * {@code deadLetter} — the task's own too — says which record it is about (the JSON log format
 * shows them). One instance per thread; not thread-safe.
 *
 * <p>MDC operations are thread-local map lookups, and on the reactor thread they were a fifth of
 * a cheap call's cost, so this context writes only what changed: task, stage and topic once
 * (again if the task cleared the MDC), the partition when it changes, the offset and key per
 * record. A <em>lingering</em> context (the reactor thread, which runs a poll's records one after
 * another) leaves the record's fields in place after a call, until {@link #clear} at the end of
 * the batch; otherwise (lane threads) they are removed after each call.
 */
public final class CallContext {
    private final String task;
    private final String stage;
    private final boolean lingering;
    private int partition = -1;
    private boolean hasKey;

    public CallContext(String task, int stage, boolean lingering) {
        this.task = task;
        this.stage = Integer.toString(stage);
        this.lingering = lingering;
    }

    public void enter(ConsumerRecord<byte[], byte[]> record, String key) {
        if (!task.equals(MDC.get("task"))) { // set once per thread, again only if the task cleared the MDC
            MDC.put("task", task);
            MDC.put("stage", stage);
            MDC.put("topic", record.topic());
            partition = -1;
            hasKey = false;
        }
        if (record.partition() != partition) {
            MDC.put("partition", Integer.toString(record.partition()));
            partition = record.partition();
        }
        MDC.put("offset", Long.toString(record.offset()));
        if (key != null) {
            MDC.put("key", key);
            hasKey = true;
        } else if (hasKey) {
            MDC.remove("key");
            hasKey = false;
        }
    }

    /**
     * Before a batch's call: {@code partition} is the batch's partition (several: comma-separated),
     * {@code offset} its offset range ({@code 100-599}; several partitions: {@code 0:100-120,2:5-9});
     * no key.
     */
    public void enterBatch(io.superflux.task.Batch<?> batch) {
        java.util.List<? extends io.superflux.task.Message<?>> messages = batch.messages();
        enter(messages.get(0).record(), null);
        boolean several = messages.get(messages.size() - 1).partition() != messages.get(0).partition();
        StringBuilder partitions = new StringBuilder();
        StringBuilder offsets = new StringBuilder();
        int start = 0;
        for (int i = 1; i <= messages.size(); i++) { // the batch is grouped by partition: one range per run
            if (i == messages.size() || messages.get(i).partition() != messages.get(start).partition()) {
                int number = messages.get(start).partition();
                partitions.append(start == 0 ? "" : ",").append(number);
                offsets.append(start == 0 ? "" : ",").append(several ? number + ":" : "").append(messages.get(start).offset())
                        .append('-').append(messages.get(i - 1).offset());
                start = i;
            }
        }
        MDC.put("partition", partitions.toString());
        MDC.put("offset", offsets.toString());
    }

    /** After a call: removes the record's fields unless this context lingers until {@link #clear}. */
    public void leave() {
        if (!lingering) {
            clear();
        }
    }

    /** Removes the record's fields (task, stage and topic stay on the thread). */
    public void clear() {
        if (partition != -1) {
            MDC.remove("partition");
            MDC.remove("offset");
            MDC.remove("key");
            partition = -1;
            hasKey = false;
        }
    }
}
