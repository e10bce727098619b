package io.superflux.internal.stage.simulation;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The threads of a stage's lanes in a simulation: a fixed pool whose workers are simulated
 * threads, so which lane runs when is the seed's choice. Behaves as a fixed ThreadPoolExecutor:
 * FIFO queue, {@code shutdownNow} interrupts the workers and returns what was queued.
 */
final class SimLanePool extends AbstractExecutorService {
    private final SimScheduler scheduler;
    private final SplittableRandom random;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private final List<SimScheduler.SimThread> workers = new ArrayList<>();
    private final List<SimScheduler.SimThread> idle = new ArrayList<>();
    private final List<SimScheduler.SimThread> awaiting = new ArrayList<>();
    private final SimHistory history;
    private boolean shutdown;
    private int alive;

    SimLanePool(SimScheduler scheduler, SplittableRandom random, int threads, String prefix, SimHistory history) {
        this.scheduler = scheduler;
        this.random = random;
        this.history = history;
        for (int i = 0; i < threads; i++) {
            alive++;
            workers.add(scheduler.spawn(prefix + "-lane-" + i, this::work));
        }
    }

    private void work() {
        SimScheduler.SimThread self = scheduler.current();
        try {
            while (true) {
                Runnable next = queue.pollFirst();
                if (next == null) {
                    if (shutdown) {
                        return;
                    }
                    idle.add(self);
                    scheduler.awaitUninterruptibly(Long.MAX_VALUE);
                    idle.remove(self);
                    continue;
                }
                try {
                    next.run();
                } catch (SimScheduler.Quiet e) {
                    throw e;
                } catch (Throwable e) {
                    history.violation("lane work threw " + e, e);
                }
                Thread.interrupted(); // as a pool worker: an interrupt meant for a task ends with it
            }
        } finally {
            alive--;
            awaiting.forEach(scheduler::wake);
        }
    }

    @Override
    public void execute(Runnable command) {
        if (shutdown) {
            throw new RejectedExecutionException("lane pool shut down");
        }
        queue.addLast(command);
        if (!idle.isEmpty()) {
            scheduler.wake(idle.get(idle.size() == 1 ? 0 : random.nextInt(idle.size())));
        }
    }

    @Override
    public void shutdown() {
        shutdown = true;
        idle.forEach(scheduler::wake);
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> dropped = new ArrayList<>(queue);
        queue.clear();
        for (SimScheduler.SimThread worker : workers) {
            history.trace("lane pool interrupts " + worker.name + (worker.done ? " (done)" : ""));
            worker.thread.interrupt();
        }
        idle.forEach(scheduler::wake);
        return dropped;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && alive == 0;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = scheduler.now() + unit.toMillis(timeout);
        SimScheduler.SimThread self = scheduler.current();
        awaiting.add(self);
        try {
            while (!isTerminated()) {
                if (scheduler.now() >= deadline) {
                    return false;
                }
                scheduler.await(deadline, true);
            }
            return true;
        } finally {
            awaiting.remove(self);
        }
    }
}
