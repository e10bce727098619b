package io.superflux.internal.stage.dispatch;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs jobs on a pool of lane threads, keeping the jobs of one key in submission order and one at
 * a time, while different keys run in parallel: a key being worked on collects its next jobs in a
 * queue, which the thread that finishes a job runs next. A job may <em>suspend</em> (an in-place
 * wait, an outage): it leaves its lane thread free for other keys, and only its key waits until
 * {@link #resume}. Jobs without a key run unordered.
 */
final class KeyOrderedExecutor {
    /** A job; {@link #step} runs on a lane thread. */
    abstract static class Job {
        private static final int RUNNING = 0;
        private static final int SUSPENDED = 1;
        private static final int RESUME_ASKED = 2;

        private final AtomicInteger state = new AtomicInteger(RUNNING);
        private ByteBuffer key;

        /** Does the job's next step: true when it is done, false when it suspends until resumed. */
        protected abstract boolean step();
    }

    private final ExecutorService pool;
    /** Keys with a job running or suspended; the queue holds the jobs waiting behind it. */
    private final ConcurrentHashMap<ByteBuffer, ArrayDeque<Job>> busy = new ConcurrentHashMap<>();

    /** Runs jobs on {@code pool}'s threads (one per lane). */
    KeyOrderedExecutor(ExecutorService pool) {
        this.pool = pool;
    }

    /** Runs {@code job} after every earlier job of {@code key}; a null key runs unordered. */
    void submit(byte[] key, Job job) {
        if (key == null) {
            execute(job);
            return;
        }
        ByteBuffer id = ByteBuffer.wrap(key);
        job.key = id;
        boolean[] first = {false};
        busy.compute(id, (k, waiting) -> {
            if (waiting == null) {
                first[0] = true;
                return new ArrayDeque<>();
            }
            waiting.addLast(job);
            return waiting;
        });
        if (first[0]) {
            execute(job);
        }
    }

    /** Lets a suspended job take its next step (at once if it is suspending just now). Any thread. */
    void resume(Job job) {
        while (true) {
            int state = job.state.get();
            if (state == Job.SUSPENDED) {
                if (job.state.compareAndSet(Job.SUSPENDED, Job.RUNNING)) {
                    execute(job);
                    return;
                }
            } else if (state == Job.RESUME_ASKED || job.state.compareAndSet(Job.RUNNING, Job.RESUME_ASKED)) {
                return; // it is running: it steps again instead of suspending
            }
        }
    }

    private void execute(Job job) {
        try {
            pool.execute(() -> runChain(job));
        } catch (RejectedExecutionException stopped) {
            runChain(job); // the lanes were stopped: a job resumed to end it ends on the caller's thread
        }
    }

    private void runChain(Job first) {
        Job job = first;
        while (job != null) {
            if (!job.step()) {
                if (job.state.compareAndSet(Job.RUNNING, Job.SUSPENDED)) {
                    return; // its key waits; resume() goes on from here
                }
                job.state.set(Job.RUNNING); // resumed while it ran: step again
                continue;
            }
            job = next(job);
        }
    }

    private Job next(Job done) {
        if (done.key == null) {
            return null;
        }
        Job[] following = {null};
        busy.computeIfPresent(done.key, (k, waiting) -> {
            following[0] = waiting.pollFirst();
            return following[0] == null ? null : waiting;
        });
        return following[0];
    }

    /**
     * A stop outlasted its timeout: interrupts the lane threads, and runs the jobs still queued on
     * the calling thread — a job knows by then that it must only end, not call the task.
     */
    void interruptAll() {
        pool.shutdownNow().forEach(Runnable::run);
    }

    /** Stops the pool: waits up to {@code timeout} for what runs, then interrupts it. */
    void shutdown(Duration timeout) throws InterruptedException {
        pool.shutdown();
        if (!pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            pool.shutdownNow();
        }
    }

    /** Keys with work (for the leftovers check). */
    int busyKeys() {
        return busy.size();
    }
}
