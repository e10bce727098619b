package io.superflux.faults;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns {@code results.jsonl} into {@code report.md}: the README's reliability table, one row per
 * scenario (the last run of each), rewritten after every scenario.
 */
final class FaultReport {
    private static final Pattern FIELD = Pattern.compile("\"([a-z_]+)\":(\"((?:[^\"\\\\]|\\\\.)*)\"|[0-9.]+)");
    private static final List<String> COLUMNS = List.of("scenario", "produced", "lost", "early", "duplicates", "recovery_s", "run_s", "notes");

    private FaultReport() {
    }

    /** Writes {@code report.md} next to {@code results}. */
    static void write(Path results) {
        try {
            Map<String, Map<String, String>> rows = new LinkedHashMap<>();
            for (String line : Files.readAllLines(results, UTF_8)) {
                Map<String, String> row = parse(line);
                rows.remove(row.get("scenario"));
                rows.put(row.get("scenario"), row);
            }
            StringBuilder table = new StringBuilder("| Scenario | Records | Lost | Early | Handled twice | Recovery (s) | Run (s) | Notes |\n")
                    .append("|---|---:|---:|---:|---:|---:|---:|---|\n");
            for (Map<String, String> row : rows.values()) {
                table.append('|');
                for (String column : COLUMNS) {
                    table.append(' ').append(row.getOrDefault(column, "")).append(" |");
                }
                table.append('\n');
            }
            Files.writeString(results.resolveSibling("report.md"), table, UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> parse(String json) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher matcher = FIELD.matcher(json);
        while (matcher.find()) {
            fields.put(matcher.group(1), matcher.group(3) != null ? matcher.group(3) : matcher.group(2));
        }
        return fields;
    }
}
