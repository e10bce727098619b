package io.superflux.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

import io.superflux.retry.Backoff;

/** The expected wait before each retry stage of a policy, and the running total, in seconds. */
final class BackoffTable {
    /** One retry stage. */
    record Row(int stage, double waitSeconds, double totalSeconds) {
    }

    private BackoffTable() {
    }

    static List<Row> rows(Backoff backoff, int retries, double timeScale) {
        List<Row> rows = new ArrayList<>();
        double total = 0;
        for (int stage = 1; stage <= retries; stage++) {
            double wait = backoff.expectedDelayBefore(stage).toMillis() / 1000.0 * timeScale;
            total += wait;
            rows.add(new Row(stage, wait, total));
        }
        return rows;
    }

    /** Seconds as plain decimal text, at most three decimals: {@code 45}, {@code 74.5}. */
    static String seconds(double seconds) {
        return BigDecimal.valueOf(seconds).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    /** Seconds for people: {@code 45.0 s}, {@code 2.6 min}, {@code 2.8 h}, {@code 4.5 days}. */
    static String human(double seconds) {
        if (seconds < 120) {
            return String.format(java.util.Locale.ROOT, "%.1f s", seconds);
        } else if (seconds < 7_200) {
            return String.format(java.util.Locale.ROOT, "%.1f min", seconds / 60);
        } else if (seconds < 172_800) {
            return String.format(java.util.Locale.ROOT, "%.1f h", seconds / 3_600);
        }
        return String.format(java.util.Locale.ROOT, "%.1f days", seconds / 86_400);
    }
}
