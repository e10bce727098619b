package io.superflux.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into a graceful stop instead of the JVM's default (run hooks, exit 143
 * or 130): the command stops its worker, commits, and exits 0. A second signal exits at once.
 */
final class StopSignals {
    private static final Logger log = LoggerFactory.getLogger(StopSignals.class);

    private final CountDownLatch received = new CountDownLatch(1);

    /** Installs the handlers. */
    static StopSignals install() {
        StopSignals signals = new StopSignals();
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> signals.receive(signal.getName()));
        }
        return signals;
    }

    private void receive(String name) {
        if (received.getCount() == 0) {
            log.warn("SIG{} again: exiting without waiting", name);
            Runtime.getRuntime().halt(FluxCli.RUNTIME_ERROR);
        }
        log.info("SIG{} received: stopping gracefully", name);
        received.countDown();
    }

    /** Waits up to {@code millis} for a signal; true if one came. */
    boolean await(long millis) throws InterruptedException {
        return received.await(millis, TimeUnit.MILLISECONDS);
    }
}
