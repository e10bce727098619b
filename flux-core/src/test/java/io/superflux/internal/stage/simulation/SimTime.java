package io.superflux.internal.stage.simulation;

import io.superflux.internal.stage.environment.StageTime;

/** The engine's time in a simulation: the scheduler's clock; a sleep lets the simulated world go on. */
final class SimTime extends StageTime {
    private final SimScheduler scheduler;
    private final long start;

    SimTime(SimScheduler scheduler) {
        this.scheduler = scheduler;
        this.start = scheduler.now();
    }

    @Override
    public long millis() {
        return scheduler.now();
    }

    @Override
    public long nanos() {
        return (scheduler.now() - start) * 1_000_000L;
    }

    @Override
    public void sleep(long millis) throws InterruptedException {
        scheduler.await(scheduler.now() + Math.max(0, millis), true);
    }
}
