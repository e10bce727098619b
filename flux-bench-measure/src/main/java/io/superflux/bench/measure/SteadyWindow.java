package io.superflux.bench.measure;

import java.util.function.LongSupplier;

/**
 * The steady-state window of a run: samples a running count of messages once a second until two
 * consecutive one-second rates are within 10 % of each other (group joins, JIT compilation and
 * the first collections are over), then measures a window of {@code flux.bench.window-seconds}
 * (default 5). A run that is not steady after {@code flux.bench.max-warm-up-seconds} (default 30)
 * is measured anyway and says so ({@code steady=0}). The count's source must not run dry during
 * the window: that fails the run, because a window with an idle tail would understate the rate.
 */
public final class SteadyWindow {
    /** System property: seconds measured once the rate is steady. */
    public static final String WINDOW_SECONDS = "flux.bench.window-seconds";
    /** System property: seconds to wait before the warm-up is sampled (processes that start together join one group). */
    public static final String SETTLE_SECONDS = "flux.bench.settle-seconds";
    /** System property: the longest warm-up before a run is measured anyway. */
    public static final String MAX_WARM_UP_SECONDS = "flux.bench.max-warm-up-seconds";
    private static final long SAMPLE_MILLIS = 1_000;
    private static final double TOLERANCE = 0.10;

    private final LongSupplier handled;
    private final long available;

    /** {@code handled}: messages so far; {@code available}: how many there can be at most (Long.MAX_VALUE: no end). */
    public SteadyWindow(LongSupplier handled, long available) {
        this.handled = handled;
        this.available = available;
    }

    /** Warms up, measures the window; {@code value} is messages per second in the window. */
    public Measurement measure() throws InterruptedException {
        long warmUpNanos = Long.getLong(MAX_WARM_UP_SECONDS, 30) * 1_000_000_000L;
        long windowMillis = Long.getLong(WINDOW_SECONDS, 5) * 1_000;
        long began = System.nanoTime();
        Thread.sleep(Long.getLong(SETTLE_SECONDS, 0) * 1_000);
        long previousCount = handled.getAsLong();
        long previousTime = System.nanoTime();
        double previousRate = -1;
        boolean steady = false;
        while (System.nanoTime() - began < warmUpNanos) {
            Thread.sleep(SAMPLE_MILLIS);
            long count = handled.getAsLong();
            long now = System.nanoTime();
            double rate = (count - previousCount) / ((now - previousTime) / 1e9);
            if (previousRate > 0 && rate > 0 && Math.abs(rate - previousRate) <= TOLERANCE * previousRate) {
                steady = true;
                break;
            }
            previousRate = rate;
            previousCount = count;
            previousTime = now;
        }
        double warmUpSeconds = (System.nanoTime() - began) / 1e9;
        Measurement measurement = new Measurement();
        long first = handled.getAsLong();
        measurement.start();
        Thread.sleep(windowMillis);
        long last = handled.getAsLong();
        measurement.stop(last - first);
        if (last >= available) {
            throw new IllegalStateException("all " + available + " messages were handled before the measured window closed"
                    + " (warm-up " + Math.round(warmUpSeconds) + " s): the scenario needs more messages");
        }
        measurement.put("warm_up_s", warmUpSeconds);
        measurement.put("steady", steady ? 1 : 0);
        return measurement;
    }
}
