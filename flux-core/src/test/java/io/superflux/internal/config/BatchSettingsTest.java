package io.superflux.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.superflux.FluxConfigException;
import io.superflux.task.BatchLimits;

/** flux.batch: what overrides a batch task's limits, and what a bad value says. */
class BatchSettingsTest {
    @Test
    void defaultKeepsTheTasksLimitsAndEachSettingReplacesOne() {
        BatchLimits declared = new BatchLimits(50, 4_096, Duration.ofSeconds(2));
        assertEquals(declared, ConfigFixture.load("").batch().over(declared));
        assertEquals(new BatchLimits(1_000, 4_096, Duration.ofSeconds(2)),
                ConfigFixture.load("flux.batch.max-records = 1000").batch().over(declared));
        assertEquals(new BatchLimits(50, 16L << 20, Duration.ZERO),
                ConfigFixture.load("flux.batch { max-bytes = 16MiB, max-wait = 0 }").batch().over(declared));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "flux.batch.max-records | 0       | a whole number from 1 to 100000, or default",
        "flux.batch.max-records | 100001  | a whole number from 1 to 100000, or default",
        "flux.batch.max-records | lots    | a whole number from 1 to 100000, or default",
        "flux.batch.max-bytes   | 0       | a size of at least 1 byte",
        "flux.batch.max-bytes   | huge    | a size such as 1048576, 512KiB or 16MiB",
        "flux.batch.max-wait    | -1s     | from 0 to PT5M",
        "flux.batch.max-wait    | 6m      | from 0 to PT5M",
        "flux.batch.max-wait    | soon    | a duration such as"})
    void aBadValueNamesTheSettingTheValueAndWhatIsAllowed(String key, String value, String allowed) {
        FluxConfigException e = assertThrows(FluxConfigException.class, () -> ConfigFixture.load(key + " = " + value));
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains(value) && e.getMessage().contains(allowed),
                e.getMessage());
    }
}
