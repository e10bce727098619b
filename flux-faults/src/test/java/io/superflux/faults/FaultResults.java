package io.superflux.faults;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Where each scenario's figures go: one JSON object per line in
 * {@code target/fault-results/results.jsonl}; {@link FaultReport} turns them into the README's table.
 */
final class FaultResults {
    static final Path DIRECTORY = Path.of(System.getProperty("faults.results", "target/fault-results"));
    static final Path FILE = DIRECTORY.resolve("results.jsonl");

    private FaultResults() {
    }

    /** Records one scenario's figures. */
    static void record(String scenario, Figures figures, double recoverySeconds, double runSeconds, String notes) {
        String json = String.format(Locale.ROOT, "{\"scenario\":\"%s\",\"produced\":%d,\"lost\":%d,\"early\":%d,"
                        + "\"duplicates\":%d,\"recovery_s\":%.1f,\"run_s\":%.1f,\"notes\":\"%s\"}%n",
                scenario, figures.produced(), figures.lost(), figures.early(), figures.duplicates(), recoverySeconds,
                runSeconds, notes.replace("\"", "'"));
        try {
            Files.createDirectories(DIRECTORY);
            Files.writeString(FILE, json, UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            FaultReport.write(FILE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
