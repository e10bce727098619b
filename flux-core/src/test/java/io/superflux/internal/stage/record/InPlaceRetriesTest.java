package io.superflux.internal.stage.record;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** One policy for both dispatches: which tries are made again, and when. */
class InPlaceRetriesTest {
    private static final ConsumerRecord<byte[], byte[]> RECORD = new ConsumerRecord<>("orders", 0, 7, null, "v".getBytes(UTF_8));
    private final InPlaceRetries retries = new InPlaceRetries(2, Duration.ofSeconds(10), 0.01, "OrderTask");

    @Test
    void aFailedCallIsCalledAgainAfterTheScaledBackoffThenForwardedWithItsAttempts() {
        Attempts attempts = new Attempts(7);
        RecordOutcome failed = RecordOutcome.forward(1, new IllegalStateException("blip"), false);
        InPlaceRetries.Next first = retries.next(RECORD, attempts, failed, 1_000);
        assertTrue(first.again());
        assertEquals(1_100, first.againAt(), "10 s scaled by 0.01");
        InPlaceRetries.Next second = retries.next(RECORD, attempts, failed, 1_100);
        assertEquals(1_200, second.againAt());
        InPlaceRetries.Next last = retries.next(RECORD, attempts, failed, 1_200);
        assertFalse(last.again(), "two in-place attempts, then forwarded");
        assertEquals(RecordOutcome.Kind.FORWARD, last.outcome().kind());
        assertEquals(2, last.outcome().earlier().size());
        assertEquals(1_000, last.outcome().earlier().get(0).failedAt());
    }

    @Test
    void aSuccessAfterInPlaceAttemptsCarriesThemForTheMeters() {
        Attempts attempts = new Attempts(7);
        retries.next(RECORD, attempts, RecordOutcome.forward(1, new IllegalStateException("blip"), false), 0);
        InPlaceRetries.Next handled = retries.next(RECORD, attempts, RecordOutcome.HANDLED, 100);
        assertFalse(handled.again());
        assertEquals(RecordOutcome.Kind.HANDLED, handled.outcome().kind());
        assertEquals(1, handled.outcome().earlier().size());
    }

    @Test
    void declaredAndBadValueFailuresAreNeverRetriedInPlace() {
        RecordOutcome routed = RecordOutcome.forward(3, new IllegalStateException("rate limited"), true);
        assertFalse(retries.next(RECORD, new Attempts(7), routed, 0).again());
        RecordOutcome poison = RecordOutcome.poisonPill(3, new IllegalArgumentException("not JSON"));
        assertFalse(retries.next(RECORD, new Attempts(7), poison, 0).again());
    }

    @Test
    void aFailingDeserializerOrHookIsTriedAgainLaterWithAGrowingWaitAndNeverGivenUp() {
        Attempts attempts = new Attempts(7);
        RecordOutcome registryDown = RecordOutcome.retryDeserializer(new IllegalStateException("registry down"));
        long previous = 0;
        for (int attempt = 1; attempt <= 12; attempt++) {
            InPlaceRetries.Next next = retries.next(RECORD, attempts, registryDown, 0);
            assertTrue(next.again(), "attempt " + attempt);
            assertTrue(next.againAt() >= previous, "the wait never shrinks");
            previous = next.againAt();
        }
        assertEquals(RetryLater.delayMillis(12, 0.01), previous);
        assertSame(RecordOutcome.Kind.RETRY_HOOK,
                retries.next(RECORD, new Attempts(7), RecordOutcome.retryHook(new IllegalStateException("x")), 0).outcome().kind());
    }

    @Test
    void withoutInPlaceAttemptsAFailedCallGoesOnAtOnce() {
        InPlaceRetries none = new InPlaceRetries(0, Duration.ZERO, 1.0, "OrderTask");
        assertFalse(none.next(RECORD, new Attempts(7), RecordOutcome.forward(1, new IllegalStateException(), false), 0).again());
    }
}
