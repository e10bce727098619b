package io.superflux.internal.stage.simulation;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs the simulation's threads one at a time, on a simulated clock. Every thread of the engine
 * under test that matters (the stage thread, lanes, Kafka's I/O thread, the supervisor that stops
 * a stage) is a real Java thread, but only the one holding the baton runs; it hands the baton on
 * only where it would block in production (a poll, a sleep, a slow call, waiting for work). The
 * next thread is drawn from the seeded random among those that may run; when none may, the clock
 * jumps to the next timer. So a run is a pure function of its seed, and any failure replays.
 *
 * <p>Time only moves when every thread waits: work between two waits takes no simulated time.
 */
final class SimScheduler {
    /** An error that ends a simulated thread quietly: the run is over for it, nothing went wrong. */
    static class Quiet extends Error {
        private static final long serialVersionUID = 1L;

        Quiet(String message) {
            super(message, null, false, false);
        }
    }

    /** Thrown into every thread still waiting when the simulation ends. */
    static final class Ended extends Quiet {
        private static final long serialVersionUID = 1L;

        Ended() {
            super("the simulation ended");
        }
    }

    /** One simulated thread. */
    final class SimThread {
        final String name;
        final Thread thread;
        final int order;
        boolean runnable;
        boolean waiting;
        boolean interruptible;
        boolean done;
        long waitToken;

        SimThread(String name, Runnable body, int order) {
            this.name = name;
            this.order = order;
            this.thread = new Thread(() -> runBody(this, body), "sim-" + name);
            this.thread.setDaemon(true);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private record Timer(long at, long sequence, SimThread thread, long token, Runnable event) {
    }

    private static final boolean DEBUG = Boolean.getBoolean("simulation.debug");
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition finished = lock.newCondition();
    private final SplittableRandom random;
    private final List<SimThread> threads = new ArrayList<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at)
            : Long.compare(a.sequence, b.sequence));
    private final ThreadLocal<SimThread> current = new ThreadLocal<>();
    private final long maxSteps;
    private long sequence;
    private long now;
    private long steps;
    private SimThread running;
    private volatile boolean ended;
    private Throwable failure;

    SimScheduler(long seed, long startMillis, long maxSteps) {
        this.random = new SplittableRandom(seed);
        this.now = startMillis;
        this.maxSteps = maxSteps;
    }

    /** The simulated time, epoch ms. */
    long now() {
        return now;
    }

    /** The calling simulated thread. */
    SimThread current() {
        SimThread self = current.get();
        if (self == null) {
            throw new IllegalStateException("not a simulated thread: " + Thread.currentThread().getName());
        }
        return self;
    }

    /** Whether the calling thread is one of this simulation's. */
    boolean isSimulated() {
        return current.get() != null;
    }

    /** A new thread that runs {@code body} once the scheduler picks it. */
    SimThread spawn(String name, Runnable body) {
        lock.lock();
        try {
            SimThread thread = new SimThread(name, body, threads.size());
            thread.runnable = true;
            threads.add(thread);
            thread.thread.start();
            return thread;
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code event} at {@code at} on whichever thread moves the clock there; it must not wait. */
    void at(long at, Runnable event) {
        lock.lock();
        try {
            timers.add(new Timer(Math.max(at, now), sequence++, null, 0, event));
        } finally {
            lock.unlock();
        }
    }

    /**
     * The calling thread waits until {@code wakeAt} (Long.MAX_VALUE: until {@link #wake}), or, if
     * {@code interruptible}, until it is interrupted.
     *
     * @throws InterruptedException if interruptible and interrupted (the flag is cleared)
     */
    void await(long wakeAt, boolean interruptible) throws InterruptedException {
        SimThread self = current();
        lock.lock();
        try {
            if (ended) {
                throw new Ended();
            }
            if (interruptible && Thread.interrupted()) {
                throw new InterruptedException("simulated wait interrupted");
            }
            self.waiting = true;
            self.interruptible = interruptible;
            self.runnable = false;
            long token = ++self.waitToken;
            if (wakeAt != Long.MAX_VALUE) {
                timers.add(new Timer(Math.max(wakeAt, now), sequence++, self, token, null));
            }
            handOn();
            waitForTurn(self);
            self.waiting = false;
            if (interruptible && Thread.interrupted()) {
                throw new InterruptedException("simulated wait interrupted");
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits as {@link #await}, not interruptible. */
    void awaitUninterruptibly(long wakeAt) {
        try {
            await(wakeAt, false);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Lets the calling thread's turn go to another runnable thread (or itself), with no time passing. */
    void yieldTurn() {
        awaitUninterruptibly(now);
    }

    /** Makes {@code thread} runnable if it waits. */
    void wake(SimThread thread) {
        lock.lock();
        try {
            if (thread.waiting && !thread.runnable) {
                thread.runnable = true;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs the simulation from the calling (test) thread until {@link #end} or until every thread
     * finished; fails if a thread blocked outside the scheduler for {@code realTimeoutMillis}.
     */
    void run(long realTimeoutMillis) throws Throwable {
        lock.lock();
        try {
            handOn();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(realTimeoutMillis);
            while (!ended) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    ended = true;
                    throw new IllegalStateException("a simulated thread (" + running + ") blocked outside the scheduler"
                            + " (real time ran out)" + stacks());
                }
                finished.awaitNanos(left);
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            endLocked();
            lock.unlock();
        }
    }

    /** Ends the simulation: every thread still waiting gets {@link Ended}. */
    void end() {
        lock.lock();
        try {
            endLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Ends the simulation with {@code error}, rethrown by {@link #run}. */
    void fail(Throwable error) {
        lock.lock();
        try {
            if (failure == null && !ended) { // after the end, threads wind down in any order: nothing they do counts
                failure = error;
            }
            endLocked();
        } finally {
            lock.unlock();
        }
    }

    boolean ended() {
        return ended;
    }

    private void endLocked() {
        if (!ended) {
            ended = true;
        }
        for (SimThread thread : threads) {
            LockSupport.unpark(thread.thread);
        }
        finished.signalAll();
    }

    private void runBody(SimThread self, Runnable body) {
        current.set(self);
        lock.lock();
        try {
            waitForTurn(self);
        } catch (Ended e) {
            self.done = true;
            lock.unlock();
            return;
        }
        lock.unlock();
        try {
            body.run();
        } catch (Quiet e) {
            // the simulation, or this thread's process, is over
        } catch (Throwable e) {
            fail(new AssertionError("simulated thread " + self.name + " died: " + e, e));
        } finally {
            lock.lock();
            try {
                self.done = true;
                self.runnable = false;
                if (running == self && !ended) {
                    handOn();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Waits for the baton. Not with a Condition: its waits take an interrupt off the thread while
     * it waits (and put it back later), so whether the scheduler saw a thread interrupted would
     * depend on real timing. A parked thread keeps its interrupt, and the scheduler sees it.
     */
    private void waitForTurn(SimThread self) {
        while (running != self && !ended) {
            lock.unlock();
            try {
                if (Thread.currentThread().isInterrupted()) {
                    LockSupport.parkNanos(this, 200_000); // park returns at once while interrupted: do not spin hard
                } else {
                    LockSupport.park(this);
                }
            } finally {
                lock.lock();
            }
        }
        if (ended) {
            throw new Ended();
        }
    }

    /** Picks the next thread to run (moving the clock if none may run now) and gives it the baton. */
    private void handOn() {
        while (!ended) {
            if (++steps > maxSteps) {
                StringBuilder where = new StringBuilder();
                for (StackTraceElement frame : Thread.currentThread().getStackTrace()) {
                    where.append("\n      at ").append(frame);
                }
                failure = failure != null ? failure : new IllegalStateException("runaway: more than " + maxSteps
                        + " scheduling steps at simulated time " + now + ", the last from " + Thread.currentThread().getName()
                        + where);
                endLocked();
                return;
            }
            List<SimThread> candidates = new ArrayList<>(4);
            for (SimThread thread : threads) {
                if (thread.done) {
                    continue;
                }
                if (thread.waiting && !thread.runnable && thread.interruptible && thread.thread.isInterrupted()) {
                    thread.runnable = true;
                }
                if (thread.runnable) {
                    candidates.add(thread);
                }
            }
            if (!candidates.isEmpty()) {
                SimThread next = candidates.get(candidates.size() == 1 ? 0 : random.nextInt(candidates.size()));
                if (DEBUG) {
                    System.err.println(now + " run " + next + " of " + candidates);
                }
                next.runnable = false;
                running = next;
                LockSupport.unpark(next.thread);
                return;
            }
            Timer timer = timers.poll();
            if (timer == null) {
                running = null;
                if (threads.stream().allMatch(thread -> thread.done)) {
                    endLocked();
                } else {
                    failure = failure != null ? failure : new IllegalStateException("deadlock: every simulated thread"
                            + " waits and nothing is scheduled at " + now + stacks());
                    endLocked();
                }
                return;
            }
            now = Math.max(now, timer.at);
            if (timer.event != null) {
                try {
                    timer.event.run();
                } catch (Throwable e) {
                    failure = failure != null ? failure : e;
                    endLocked();
                    return;
                }
            } else if (timer.thread.waiting && timer.thread.waitToken == timer.token && !timer.thread.done) {
                timer.thread.runnable = true;
            }
        }
    }

    /** Where every live simulated thread is, for a report. */
    String threadStacks() {
        lock.lock();
        try {
            return stacks();
        } finally {
            lock.unlock();
        }
    }

    private String stacks() {
        StringBuilder text = new StringBuilder();
        for (SimThread thread : threads) {
            if (!thread.done) {
                text.append("\n  ").append(thread.name).append(thread.waiting ? " (waiting)" : "").append(':');
                for (StackTraceElement frame : thread.thread.getStackTrace()) {
                    text.append("\n      at ").append(frame);
                }
            }
        }
        return text.toString();
    }
}
