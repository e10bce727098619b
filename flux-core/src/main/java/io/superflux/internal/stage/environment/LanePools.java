package io.superflux.internal.stage.environment;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the threads a stage's lanes run on: daemon threads in production, threads the
 * deterministic simulation schedules one at a time in tests.
 */
@FunctionalInterface
public interface LanePools {
    /** Fixed pools of daemon threads named {@code <prefix>-worker-<n>}. */
    LanePools THREADS = (threads, prefix) -> {
        AtomicInteger sequence = new AtomicInteger();
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, prefix + "-worker-" + sequence.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        });
    };

    /** A pool of {@code threads} threads whose names start with {@code prefix}. */
    ExecutorService create(int threads, String prefix);
}
