package io.superflux.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into a graceful stop instead of the JVM's default (run hooks, exit 143
 * or 130): the command stops its worker, commits, and exits 0. A second signal more than
 * {@value #REPEAT_WINDOW_NANOS} ns after the first exits at once (code 1); one that follows within
 * that moment is the same request delivered twice — {@code timeout}, or a signal to a process
 * group, delivers it so — and is ignored.
 */
final class StopSignals {
    /** Signals this close to the first are the same request: 2 s. */
    static final long REPEAT_WINDOW_NANOS = 2_000_000_000L;
    private static final Logger log = LoggerFactory.getLogger(StopSignals.class);

    private final CountDownLatch received = new CountDownLatch(1);
    private final LongSupplier nanoTime;
    private final IntConsumer halt;
    private volatile long firstAt;

    StopSignals(LongSupplier nanoTime, IntConsumer halt) {
        this.nanoTime = nanoTime;
        this.halt = halt;
    }

    /** Installs the handlers. */
    static StopSignals install() {
        StopSignals signals = new StopSignals(System::nanoTime, code -> Runtime.getRuntime().halt(code));
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> signals.receive(signal.getName()));
        }
        return signals;
    }

    synchronized void receive(String name) {
        long now = nanoTime.getAsLong();
        if (received.getCount() == 0) {
            if (now - firstAt <= REPEAT_WINDOW_NANOS) {
                log.info("SIG{} again right after the first: still stopping gracefully", name);
                return;
            }
            log.warn("SIG{} again: exiting without waiting", name);
            halt.accept(FluxCli.RUNTIME_ERROR);
            return;
        }
        firstAt = now;
        log.info("SIG{} received: stopping gracefully", name);
        received.countDown();
    }

    /** Waits up to {@code millis} for a signal; true if one came. */
    boolean await(long millis) throws InterruptedException {
        return received.await(millis, TimeUnit.MILLISECONDS);
    }
}
