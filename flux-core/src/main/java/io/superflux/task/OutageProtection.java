package io.superflux.task;

import java.time.Duration;
import java.util.Objects;

/**
 * When a main stage decides that a dependency is down, and how it probes for its return. Each
 * record's final outcome in the stage counts once (its in-place attempts are one record). When at
 * least {@link #minimumCalls} records ended within the last {@link #window}, at least
 * {@link #failureRate} of them failed, and the failures came from at least a quarter of
 * {@code minimumCalls} different keys, the stage pauses: it stops taking records, forwards nothing
 * and commits nothing past the record that tripped it. After {@link #firstProbe} it calls one record
 * — a waiting one, or the next of a held partition, the partitions taking turns — and resumes as
 * soon as a probe succeeds. A probe that fails goes on to its next stage, like any failed record,
 * and the next probe follows at once; after five failed probes in a row the next round waits twice
 * as long, up to {@link #maxProbeInterval}. So a record that fails on its own never holds the
 * stage. Retry stages have no outage protection. Immutable; each method returns a new policy.
 *
 * <pre>{@code
 * TaskSpec.topic("orders").group("billing")
 *         .outageProtection(OutageProtection.standard()            // 90 % of ≥ 20 calls in 10 s
 *                 .firstProbe(Duration.ofSeconds(2)))               // then 4 s, 8 s… up to 5 min
 * }</pre>
 *
 * <p>Only failures of {@code call} count: not values the deserializer rejected, not exceptions the
 * task declared fatal or routed. The windows and waits are real time ({@code flux.retry.time-scale}
 * does not scale them).
 *
 * @param failureRate      the share of failed calls that trips the stage, above 0 and at most 1
 * @param minimumCalls     records the window must hold before the rate counts, 1 or more
 * @param window           how far back calls count, 1 s to 1 h
 * @param firstProbe       the wait before the first probe, 10 ms to 1 h
 * @param maxProbeInterval the longest wait between probes, at least {@code firstProbe} and at most 1 day
 */
public record OutageProtection(double failureRate, int minimumCalls, Duration window, Duration firstProbe,
                               Duration maxProbeInterval) {
    /**
     * Checks every field.
     *
     * @throws IllegalArgumentException naming the field, the value and what is allowed
     */
    public OutageProtection {
        if (!(failureRate > 0 && failureRate <= 1)) {
            throw new IllegalArgumentException("outageProtection: failureRate must be above 0 and at most 1, not " + failureRate);
        }
        if (minimumCalls < 1) {
            throw new IllegalArgumentException("outageProtection: minimumCalls must be 1 or more, not " + minimumCalls);
        }
        requireBetween("window", window, Duration.ofSeconds(1), Duration.ofHours(1));
        requireBetween("firstProbe", firstProbe, Duration.ofMillis(10), Duration.ofHours(1));
        requireBetween("maxProbeInterval", maxProbeInterval, firstProbe, Duration.ofDays(1));
    }

    /** 90 % of at least 20 calls within 10 s; first probe after 5 s, doubling up to 5 minutes. */
    public static OutageProtection standard() {
        return new OutageProtection(0.9, 20, Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofMinutes(5));
    }

    /** The same policy tripping at {@code rate} (above 0, at most 1). */
    public OutageProtection failureRate(double rate) {
        return new OutageProtection(rate, minimumCalls, window, firstProbe, maxProbeInterval);
    }

    /** The same policy counting the rate only once {@code calls} calls are in the window. */
    public OutageProtection minimumCalls(int calls) {
        return new OutageProtection(failureRate, calls, window, firstProbe, maxProbeInterval);
    }

    /** The same policy over a window of {@code duration}. */
    public OutageProtection window(Duration duration) {
        return new OutageProtection(failureRate, minimumCalls, duration, firstProbe, maxProbeInterval);
    }

    /** The same policy probing first after {@code wait} (the longest interval grows to it if shorter). */
    public OutageProtection firstProbe(Duration wait) {
        Objects.requireNonNull(wait, "outageProtection: firstProbe");
        return new OutageProtection(failureRate, minimumCalls, window, wait,
                maxProbeInterval.compareTo(wait) < 0 ? wait : maxProbeInterval);
    }

    /** The same policy with probes at most {@code interval} apart. */
    public OutageProtection maxProbeInterval(Duration interval) {
        return new OutageProtection(failureRate, minimumCalls, window, firstProbe, interval);
    }

    private static void requireBetween(String field, Duration value, Duration min, Duration max) {
        Objects.requireNonNull(value, "outageProtection: " + field);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException("outageProtection: " + field + " must be from " + min + " to " + max
                    + ", not " + value);
        }
    }
}
