package io.superflux.faults;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FaultReportTest {

    @Test
    void oneRowPerScenarioItsLastRunWinsAndComesLast(@TempDir Path directory) throws Exception {
        Path results = directory.resolve("results.jsonl");
        Files.write(results, List.of(
                "{\"scenario\":\"kill, concurrency 1\",\"produced\":3000,\"lost\":0,\"early\":0,\"duplicates\":5,\"recovery_s\":10.1,\"run_s\":40.0,\"notes\":\"a 'note'\"}",
                "{\"scenario\":\"sigterm\",\"produced\":60,\"lost\":0,\"early\":0,\"duplicates\":0,\"recovery_s\":1.6,\"run_s\":12.5,\"notes\":\"\"}",
                "{\"scenario\":\"kill, concurrency 1\",\"produced\":3000,\"lost\":0,\"early\":0,\"duplicates\":7,\"recovery_s\":9.8,\"run_s\":41.0,\"notes\":\"again\"}"),
                UTF_8);

        FaultReport.write(results);

        assertEquals(List.of(
                "| Scenario | Records | Lost | Early | Handled twice | Recovery (s) | Run (s) | Notes |",
                "|---|---:|---:|---:|---:|---:|---:|---|",
                "| sigterm | 60 | 0 | 0 | 0 | 1.6 | 12.5 |  |",
                "| kill, concurrency 1 | 3000 | 0 | 0 | 7 | 9.8 | 41.0 | again |"),
                Files.readAllLines(directory.resolve("report.md"), UTF_8));
    }
}
