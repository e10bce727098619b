package io.superflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** SIGTERM/SIGINT: the first stops gracefully; a repeat a moment later (timeout, a process group) is not a second request. */
class StopSignalsTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final List<Integer> halts = new ArrayList<>();
    private final StopSignals signals = new StopSignals(nanos::get, halts::add);

    @Test
    void aSecondSignalWithinAMomentOfTheFirstDoesNotForceTheExit() throws Exception {
        signals.receive("TERM");
        assertTrue(signals.await(0), "the first asks for a graceful stop");
        nanos.addAndGet(10_000_000L); // 10 ms later: `timeout` and a signal to a process group deliver it so
        signals.receive("TERM");
        assertEquals(List.of(), halts);
    }

    @Test
    void aSecondSignalLaterForcesTheExit() {
        signals.receive("TERM");
        nanos.addAndGet(StopSignals.REPEAT_WINDOW_NANOS + 1);
        signals.receive("INT");
        assertEquals(List.of(FluxCli.RUNTIME_ERROR), halts);
    }
}
