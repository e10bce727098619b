package io.superflux.bench;

import java.util.List;
import java.util.Locale;

/**
 * One line of the results. Throughput lines carry msg/s and CPU seconds per million messages of
 * the client process and of the broker, for Flux and its baseline, with ratios (Flux / baseline);
 * other lines (latency, idle cost, scale, lateness, memory) carry a figure, and a baseline's where
 * there is one. Written as {@code bench/results/latest.json} and as two markdown tables.
 */
record Result(String scenario, String baselineName, double flux, Double baseline, String unit, Double ratio,
              Double fluxCpu, Double baselineCpu, Double fluxBrokerCpu, Double baselineBrokerCpu, String target) {

    /** Medians of one run's rounds: msg/s, client CPU s per million, broker CPU s per million (NaN when unknown). */
    record Summary(double rate, double cpu, double brokerCpu) {
    }

    static Result throughput(String scenario, String baselineName, Summary flux, Summary baseline, String target) {
        return new Result(scenario, baselineName, flux.rate(), baseline.rate(), "msg/s", flux.rate() / baseline.rate(),
                flux.cpu(), baseline.cpu(), flux.brokerCpu(), baseline.brokerCpu(), target);
    }

    static Result compare(String scenario, String baselineName, double flux, double baseline, String unit, String target) {
        return new Result(scenario, baselineName, flux, baseline, unit, flux / baseline, null, null, null, null, target);
    }

    static Result single(String scenario, double flux, String unit, String target) {
        return new Result(scenario, "", flux, null, unit, null, null, null, null, null, target);
    }

    boolean isThroughput() {
        return fluxCpu != null;
    }

    Double cpuRatio() {
        return fluxCpu == null ? null : fluxCpu / baselineCpu;
    }

    static String json(List<Result> results) {
        StringBuilder json = new StringBuilder("[\n");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            json.append(String.format(Locale.ROOT, "  {\"scenario\": \"%s\", \"flux\": %s, \"baseline\": %s, \"unit\": \"%s\", \"ratio\": %s,"
                            + " \"baseline_name\": \"%s\", \"flux_cpu_s_per_m\": %s, \"baseline_cpu_s_per_m\": %s, \"cpu_ratio\": %s,"
                            + " \"flux_broker_cpu_s_per_m\": %s, \"baseline_broker_cpu_s_per_m\": %s, \"target\": \"%s\"}",
                    r.scenario(), number(r.flux()), number(r.baseline()), r.unit(), number(r.ratio()), r.baselineName(),
                    number(r.fluxCpu()), number(r.baselineCpu()), number(r.cpuRatio()), number(r.fluxBrokerCpu()),
                    number(r.baselineBrokerCpu()), r.target()));
            json.append(i < results.size() - 1 ? ",\n" : "\n");
        }
        return json.append("]\n").toString();
    }

    static String markdown(List<Result> results) {
        StringBuilder table = new StringBuilder("| scenario | baseline | Flux msg/s | baseline msg/s | ratio | Flux CPU s/M msgs"
                + " | baseline CPU s/M | CPU ratio | broker CPU s/M (Flux / baseline) | target |\n"
                + "|---|---|---|---|---|---|---|---|---|---|\n");
        for (Result r : results) {
            if (r.isThroughput()) {
                table.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s |%n", r.scenario(),
                        r.baselineName(), shown(r.flux()), shown(r.baseline()), twoDigits(r.ratio()), twoDigits(r.fluxCpu()),
                        twoDigits(r.baselineCpu()), twoDigits(r.cpuRatio()), twoDigits(r.fluxBrokerCpu()),
                        twoDigits(r.baselineBrokerCpu()), r.target()));
            }
        }
        table.append("\n| figure | Flux | baseline | unit | ratio | target |\n|---|---|---|---|---|---|\n");
        for (Result r : results) {
            if (!r.isThroughput()) {
                table.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", r.scenario(), shown(r.flux()),
                        r.baseline() == null ? "—" : shown(r.baseline()) + " (" + r.baselineName() + ")", r.unit(),
                        r.ratio() == null ? "—" : twoDigits(r.ratio()), r.target()));
            }
        }
        return table.toString();
    }

    private static String number(Double value) {
        return value == null || value.isNaN() || value.isInfinite() ? "null" : String.format(Locale.ROOT, "%.4f", value);
    }

    private static String twoDigits(Double value) {
        return value == null || value.isNaN() ? "—" : String.format(Locale.ROOT, "%.2f", value);
    }

    private static String shown(double value) {
        return value >= 100 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.2f", value);
    }
}
