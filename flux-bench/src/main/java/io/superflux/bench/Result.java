package io.superflux.bench;

import java.util.List;
import java.util.Locale;

/**
 * One line of the results: the scenario name, Flux's figure, the baseline's (or none) and their
 * ratio. Written as {@code bench/results/latest.json} and as a markdown table.
 */
record Result(String scenario, double flux, Double baseline, String unit, Double ratio, String target) {
    static Result ratio(String scenario, double flux, double baseline, String unit, String target) {
        return new Result(scenario, flux, baseline, unit, flux / baseline, target);
    }

    static Result single(String scenario, double flux, String unit, String target) {
        return new Result(scenario, flux, null, unit, null, target);
    }

    static String json(List<Result> results) {
        StringBuilder json = new StringBuilder("[\n");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            json.append(String.format(Locale.ROOT, "  {\"scenario\": \"%s\", \"flux\": %s, \"baseline\": %s, \"unit\": \"%s\", \"ratio\": %s}",
                    r.scenario(), number(r.flux()), r.baseline() == null ? "null" : number(r.baseline()), r.unit(),
                    r.ratio() == null ? "null" : number(r.ratio())));
            json.append(i < results.size() - 1 ? ",\n" : "\n");
        }
        return json.append("]\n").toString();
    }

    static String markdown(List<Result> results) {
        StringBuilder table = new StringBuilder("| scenario | Flux | baseline | unit | ratio | target |\n|---|---|---|---|---|---|\n");
        for (Result r : results) {
            table.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", r.scenario(), shown(r.flux()),
                    r.baseline() == null ? "—" : shown(r.baseline()), r.unit(),
                    r.ratio() == null ? "—" : String.format(Locale.ROOT, "%.2f", r.ratio()), r.target()));
        }
        return table.toString();
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }

    private static String shown(double value) {
        return value >= 100 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }
}
