package io.superflux.internal.ops;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.superflux.internal.stage.ops.StageStatus;
import io.superflux.retry.Stage;
import io.superflux.task.TaskSpec;

class HealthCheckTest {
    private static final long NOW = 1_800_000_000_000L;
    private final Clock clock = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
    private final AtomicBoolean shuttingDown = new AtomicBoolean();

    private static StageStatus stage(int number) {
        Stage stage = TaskSpec.topic("orders").group("billing").retries(2).plan().stage(number);
        StageStatus status = new StageStatus("BillingTask", stage, NOW - 500);
        status.limitMillis(10_000);
        return status;
    }

    private HealthCheck health(StageStatus... stages) {
        return new HealthCheck(() -> List.of(stages), shuttingDown::get, clock);
    }

    @Test
    void startingIsLiveButNotReadyJoinedIsBoth() {
        StageStatus main = stage(0);
        HealthCheck health = health(main);
        assertTrue(health.live().ok());
        HealthCheck.Verdict ready = health.ready();
        assertFalse(ready.ok());
        assertTrue(ready.json().contains("\"problem\":\"not yet in its consumer group\""), ready.json());
        main.assigned(3);
        assertTrue(health.ready().ok(), health.ready().json());
        assertTrue(health.ready().json().contains("\"assigned_partitions\":3"));
    }

    @Test
    void orderedRetriesShowTheirHeldKeysAndAFullTableIsNotReady() {
        StageStatus main = stage(0);
        main.assigned(1);
        main.keyOrder(3, 7, false);
        assertTrue(health(main).ready().ok(), health(main).ready().json());
        assertTrue(health(main).ready().json().contains("\"held_keys\":3,\"parked\":7"), health(main).ready().json());
        main.keyOrder(4, 96, true);
        HealthCheck.Verdict full = health(main).ready();
        assertFalse(full.ok());
        assertTrue(full.json().contains("ordered retries hold 4 key(s) and 96 parked record(s)"), full.json());
        assertTrue(health(main).live().ok(), "waiting for keys to be released is not a reason to restart");
        assertFalse(health(stage(1)).ready().json().contains("held_keys"), "a stage without ordered retries shows none");
    }

    @Test
    void noStageYetAndShutdownAreNotReady() {
        assertFalse(health().ready().ok());
        assertTrue(health().live().ok());
        StageStatus main = stage(0);
        main.assigned(1);
        shuttingDown.set(true);
        assertTrue(health(main).ready().json().contains("shutting down"));
        main.stopping();
        assertTrue(health(main).ready().json().contains("\"problem\":\"stopping\""));
    }

    @Test
    void aCallOverItsLimitOrAStuckPollLoopIsNotLiveAndSaysWhereAndSinceWhen() {
        StageStatus main = stage(0);
        main.assigned(1);
        main.polled(NOW - 1_000);
        StageStatus.CallSlot call = main.newCallSlot();
        call.start(2, 41, NOW - 12_000);
        HealthCheck.Verdict live = health(main).live();
        assertFalse(live.ok());
        assertTrue(live.json().contains("\"problem\":\"call running for 12.0 s, over its limit of 10.0 s"
                + " (flux.health.call-timeout)\",\"partition\":2,\"offset\":41,\"since\":\"2027-01-15T07:59:48Z\""), live.json());
        call.end();
        assertTrue(health(main).live().ok());
        main.polled(NOW - 11_000);
        assertTrue(health(main).live().json().contains("poll loop has not come round for 11.0 s"));
    }

    @Test
    void aStageThatDiedMakesBothFailWithItsError() {
        StageStatus main = stage(0);
        StageStatus retries = stage(1);
        main.assigned(1);
        retries.assigned(1);
        retries.ended(new IllegalStateException("not authorized to \"write\""));
        HealthCheck health = health(main, retries);
        assertFalse(health.live().ok());
        assertFalse(health.ready().ok());
        assertTrue(health.live().json().contains("\"stage\":1,\"topic\":\"orders-billing-try-1\",\"problem\":\"failed\","
                + "\"error\":\"not authorized to \\\"write\\\"\""), health.live().json());
        main.ended(null);
        assertTrue(health.live().json().contains("\"state\":\"STOPPED\""), health.live().json());
    }
}
