package io.superflux.internal.stage.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class CallContextTest {
    @AfterEach
    void clearMdc() {
        MDC.clear();
    }

    @Test
    void aBatchShowsItsPartitionsAndOffsetRangesAndNoKey() {
        CallContext context = new CallContext("OrderSink", 0, true);
        context.enter(record(3, 1), "k1");
        context.enterBatch(io.superflux.task.Batch.of(java.util.List.of(message(3, 100), message(3, 101), message(3, 599))));
        assertEquals("3", MDC.get("partition"));
        assertEquals("100-599", MDC.get("offset"));
        assertNull(MDC.get("key"));
        context.clear();
        context.enterBatch(io.superflux.task.Batch.of(java.util.List.of(message(0, 100), message(0, 120), message(2, 5),
                message(2, 9))));
        assertEquals("0,2", MDC.get("partition"));
        assertEquals("0:100-120,2:5-9", MDC.get("offset"));
        context.clear();
        assertNull(MDC.get("offset"));
    }

    private static io.superflux.task.Message<String> message(int partition, long offset) {
        return new io.superflux.task.Message<>(record(partition, offset), "v", 0);
    }

    @Test
    void aLaneThreadsContextHoldsTheRecordDuringTheCallOnly() {
        CallContext context = new CallContext("OrderTask", 2, false);
        context.enter(record(3, 41), "k1");
        assertEquals("OrderTask", MDC.get("task"));
        assertEquals("2", MDC.get("stage"));
        assertEquals("orders-retry-1", MDC.get("topic"));
        assertEquals("3", MDC.get("partition"));
        assertEquals("41", MDC.get("offset"));
        assertEquals("k1", MDC.get("key"));
        context.leave();
        assertNull(MDC.get("partition"));
        assertNull(MDC.get("offset"));
        assertNull(MDC.get("key"));
        assertEquals("OrderTask", MDC.get("task"));
        context.enter(record(3, 42), null);
        assertEquals("3", MDC.get("partition"));
        assertEquals("42", MDC.get("offset"));
    }

    @Test
    void theReactorsContextLingersUntilTheBatchIsDoneAndNeverShowsAnEarlierRecordsKey() {
        CallContext context = new CallContext("OrderTask", 0, true);
        context.enter(record(1, 7), "k1");
        context.leave();
        assertEquals("7", MDC.get("offset"));
        context.enter(record(1, 8), null);
        assertNull(MDC.get("key"));
        assertEquals("8", MDC.get("offset"));
        context.enter(record(4, 9), "k2");
        assertEquals("4", MDC.get("partition"));
        assertEquals("k2", MDC.get("key"));
        context.clear();
        assertNull(MDC.get("partition"));
        assertNull(MDC.get("offset"));
        assertNull(MDC.get("key"));
    }

    @Test
    void aTaskThatClearsTheMdcGetsEveryFieldBackOnTheNextRecord() {
        CallContext context = new CallContext("OrderTask", 0, true);
        context.enter(record(1, 7), "k1");
        MDC.clear(); // the task's own doing
        context.enter(record(1, 8), "k1");
        assertEquals("OrderTask", MDC.get("task"));
        assertEquals("0", MDC.get("stage"));
        assertEquals("1", MDC.get("partition"));
        assertEquals("8", MDC.get("offset"));
        assertEquals("k1", MDC.get("key"));
    }

    private static ConsumerRecord<byte[], byte[]> record(int partition, long offset) {
        return new ConsumerRecord<>("orders-retry-1", partition, offset, null, new byte[0]);
    }
}
