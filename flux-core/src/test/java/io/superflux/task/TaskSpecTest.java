package io.superflux.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class TaskSpecTest {
    private final TaskSpec<String> spec = TaskSpec.topic("orders").group("g").retries(4);

    @Test
    void aFailureGoesToTheNextStageUnlessDeclaredFatalOrRouted() {
        TaskSpec<String> routed = spec.fatal(IllegalArgumentException.class)
                .routeTo(3, UncheckedIOException.class)
                .routeTo(5, IllegalStateException.class);
        assertEquals(1, routed.nextStage(0, new RuntimeException("x")));
        assertEquals(5, routed.nextStage(0, new NumberFormatException("x")), "a subclass of a fatal type: the dead letters");
        assertEquals(3, routed.nextStage(0, new UncheckedIOException(new IOException("x"))));
        assertEquals(5, routed.nextStage(1, new IllegalStateException("x")), "routed to the dead letters (stage 5)");
        assertEquals(4, routed.nextStage(3, new UncheckedIOException(new IOException("x"))),
                "a route never sends a record back: from stage 3 on, the next stage");
        assertEquals(4, routed.nextStage(3, new RuntimeException("x")));
    }

    @Test
    void orderedRetriesRefuseLanesAndBadLimitsNamingTheValue() {
        TaskSpec<String> ordered = spec.keyOrder(KeyOrder.ordered()).concurrency(4);
        IllegalStateException lanes = assertThrows(IllegalStateException.class, ordered::plan);
        assertTrue(lanes.getMessage().contains("keyOrder and concurrency 4") && lanes.getMessage().contains("need concurrency 1"),
                lanes.getMessage());
        IllegalArgumentException limit = assertThrows(IllegalArgumentException.class, () -> KeyOrder.ordered().maxHeld(0));
        assertTrue(limit.getMessage().contains("maxHeld must be from 1 to 50000000, not 0"), limit.getMessage());
        assertEquals(KeyOrder.AfterDeadLetter.RELEASE, spec.keyOrder(KeyOrder.ordered()).keyOrder().orElseThrow().afterDeadLetter());
        assertEquals(KeyOrder.AfterDeadLetter.HOLD, KeyOrder.ordered().maxHeld(10).holdAfterDeadLetter().afterDeadLetter());
        assertEquals(10, KeyOrder.ordered().maxHeld(10).holdAfterDeadLetter().maxHeld());
        assertTrue(spec.keyOrder().isEmpty(), "unordered is the default");
    }

    @Test
    void theFirstMatchingRouteWins() {
        TaskSpec<String> routed = spec.routeTo(2, IllegalStateException.class).routeTo(4, RuntimeException.class);
        assertEquals(2, routed.nextStage(0, new IllegalStateException("x")));
        assertEquals(4, routed.nextStage(0, new ArithmeticException("x")));
    }

    @Test
    void badRoutesAndInPlaceSettingsAreRefusedNamingTheValue() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> spec.routeTo(0, RuntimeException.class));
        assertTrue(zero.getMessage().contains("not 0"), zero.getMessage());
        IllegalStateException beyond = assertThrows(IllegalStateException.class,
                () -> spec.routeTo(6, IllegalStateException.class).plan());
        assertTrue(beyond.getMessage().contains("to stage 6") && beyond.getMessage().contains("routeTo takes 1 to 5"),
                beyond.getMessage());
        IllegalArgumentException attempts = assertThrows(IllegalArgumentException.class,
                () -> spec.retryInPlace(101, Duration.ofMillis(100)));
        assertTrue(attempts.getMessage().contains("from 0 to 100, not 101"), attempts.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> spec.retryInPlace(2, Duration.ofMillis(-1)));
        assertTrue(negative.getMessage().contains("not PT-0.001S"), negative.getMessage());
        assertThrows(IllegalArgumentException.class, () -> spec.retryInPlace(2, Duration.ofMinutes(16)));
    }

    @Test
    void aSpecKeepsEverySettingAcrossLaterCalls() {
        TaskSpec<byte[]> full = spec.retryInPlace(3, Duration.ofMillis(200)).routeTo(2, IllegalStateException.class)
                .concurrency(8).cluster("analytics").bytes();
        assertEquals(3, full.inPlaceAttempts());
        assertEquals(Duration.ofMillis(200), full.inPlaceBackoff());
        assertEquals(1, full.routes().size());
        assertEquals(8, full.concurrency());
        assertEquals("analytics", full.cluster());
        assertEquals(4, full.retries());
        assertEquals("g", full.group());
        assertEquals(0, spec.inPlaceAttempts(), "the original is unchanged");
    }
}
