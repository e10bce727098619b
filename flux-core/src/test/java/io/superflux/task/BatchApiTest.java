package io.superflux.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The batch task API without a broker: marking, grouping, limits and what a batch task refuses. */
class BatchApiTest {
    private static Message<String> message(int partition, long offset) {
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("orders", partition, offset, null,
                ("v" + offset).getBytes(StandardCharsets.UTF_8));
        return new Message<>(record, "v" + offset, 0);
    }

    @Test
    void marksAreKeptPerMessageAndOnlyForMessagesOfTheBatch() {
        Message<String> a = message(0, 1);
        Message<String> b = message(1, 7);
        Message<String> c = message(0, 2);
        Batch<String> batch = Batch.of(List.of(a, b, c));
        IllegalStateException error = new IllegalStateException("duplicate row");
        batch.failed(b, error);
        assertSame(error, batch.failureOf(b));
        assertNull(batch.failureOf(a));
        assertEquals(1, batch.failedCount());
        assertEquals(List.of(0, 1), List.copyOf(batch.byPartition().keySet()));
        assertEquals(List.of(a, c), batch.byPartition().get(0));
        IllegalArgumentException stranger = assertThrows(IllegalArgumentException.class,
                () -> batch.failed(message(0, 1), error));
        assertTrue(stranger.getMessage().contains("not a message of this batch"), stranger.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Batch.of(List.of()));
    }

    @Test
    void callingABatchTaskWithOneMessageThrowsWhatItWasMarkedFailedWith() {
        BatchTask<String> task = new BatchTask<>(TaskSpec.topic("orders").group("sink")) {
            @Override
            public void call(Batch<String> batch) {
                batch.messages().stream().filter(m -> m.offset() == 13).forEach(m -> batch.failed(m, new ArithmeticException("13")));
            }
        };
        assertThrows(ArithmeticException.class, () -> task.call(message(0, 13)));
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> task.call(message(0, 12)));
    }

    @Test
    void aBatchTaskRefusesConcurrencyAndNamesWhy() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BatchTask<>(TaskSpec.topic("orders").group("sink").concurrency(8)) {
                    @Override
                    public void call(Batch<String> batch) {
                    }
                });
        assertTrue(e.getMessage().contains("concurrency(8)") && e.getMessage().contains("must be 1"), e.getMessage());
    }

    @Test
    void aBatchTaskRefusesOrderedRetriesSayingWhy() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BatchTask<>(TaskSpec.topic("orders").group("sink").keyOrder(KeyOrder.ordered())) {
                    @Override
                    public void call(Batch<String> batch) {
                    }
                });
        assertTrue(e.getMessage().contains("keyOrder on the batch task") && e.getMessage().contains("need a plain Task"),
                e.getMessage());
    }

    @Test
    void limitsAreCheckedWithTheLimitTheValueAndWhatIsAllowed() {
        assertEquals(new BatchLimits(500, 16L << 20, Duration.ofMillis(100)), BatchLimits.standard());
        assertEquals(BatchLimits.standard(), TaskSpec.topic("orders").batchLimits());
        assertMessage(() -> BatchLimits.standard().withMaxRecords(0), "max-records must be from 1 to 100000, not 0");
        assertMessage(() -> BatchLimits.standard().withMaxBytes(0), "max-bytes must be 1 or more, not 0");
        assertMessage(() -> BatchLimits.standard().withMaxWait(Duration.ofMinutes(6)), "max-wait must be from 0 to 5 minutes");
        assertMessage(() -> BatchLimits.standard().withMaxWait(Duration.ofMillis(-1)), "max-wait must be from 0 to 5 minutes");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable executable, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
