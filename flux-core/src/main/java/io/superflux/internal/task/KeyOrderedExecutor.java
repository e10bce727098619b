package io.superflux.internal.task;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs work on a fixed pool of threads, keeping work of the same key in submission order and one
 * at a time, while different keys run in parallel: a key being worked on collects its next items
 * in a queue, which the thread that finishes an item runs next. A slow key holds up only itself.
 * Work without a key runs unordered. The reactor bounds how much is queued.
 */
final class KeyOrderedExecutor {
    private final ExecutorService pool;
    /** Keys with work running; the queue holds what waits behind it. */
    private final ConcurrentHashMap<ByteBuffer, ArrayDeque<Runnable>> busy = new ConcurrentHashMap<>();

    /** Runs work on {@code pool}'s threads (one per lane). */
    KeyOrderedExecutor(ExecutorService pool) {
        this.pool = pool;
    }

    /** Runs {@code work} after every earlier work of {@code key}; a null key runs unordered. */
    void submit(byte[] key, Runnable work) {
        if (key == null) {
            pool.execute(work);
            return;
        }
        ByteBuffer id = ByteBuffer.wrap(key);
        boolean[] first = {false};
        busy.compute(id, (k, waiting) -> {
            if (waiting == null) {
                first[0] = true;
                return new ArrayDeque<>();
            }
            waiting.addLast(work);
            return waiting;
        });
        if (first[0]) {
            pool.execute(() -> runChain(id, work));
        }
    }

    private void runChain(ByteBuffer id, Runnable work) {
        Runnable next = work;
        while (next != null) {
            next.run();
            Runnable[] following = {null};
            busy.compute(id, (k, waiting) -> {
                following[0] = waiting.pollFirst();
                return following[0] == null ? null : waiting;
            });
            next = following[0];
        }
    }

    /** Interrupts the work running now and drops the work still queued: a stop that outlasted its timeout. */
    void interruptAll() {
        pool.shutdownNow();
        busy.clear();
    }

    /** Stops the pool: waits up to {@code timeout} for queued work, then interrupts what still runs. */
    void shutdown(Duration timeout) throws InterruptedException {
        pool.shutdown();
        if (!pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            pool.shutdownNow();
        }
    }
}
