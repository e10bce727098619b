package io.superflux.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StageSelectionTest {
    private static final StagePlan PLAN = StagePlan.of("awesome", "magnificent-5", 5);

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "all; 0,1,2,3,4,5,6",
            "ALL; 0,1,2,3,4,5,6",
            "0; 0",
            "6; 6",
            "1-6; 1,2,3,4,5,6",
            "0,2-4; 0,2,3,4",
            " 3 , 1 ; 1,3",
            "2-2; 2",
            "0-1,1-2; 0,1,2"})
    void parsesEveryForm(String text, String expected) {
        List<Integer> stages = StageSelection.parse(text, PLAN).stages();
        assertEquals(expected, stages.stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElse(""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"7", "0-7", "-1"})
    void outOfRangeNamesTheValidRange(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StageSelection.parse(text, PLAN));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
        assertTrue(e.getMessage().contains("0..6 (0 = main, 1-5 = retries, 6 = dead letter)"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"4-2", "6-0"})
    void reversedRangeIsRejected(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StageSelection.parse(text, PLAN));
        assertTrue(e.getMessage().contains("is reversed"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "0,,2", "1,"})
    void emptyIsRejected(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StageSelection.parse(text, PLAN));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"one", "1-", "1-2-3", "a-b", "1..3", "0;2"})
    void malformedIsRejected(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StageSelection.parse(text, PLAN));
        assertTrue(e.getMessage().contains("is not a stage number or range"), e.getMessage());
        assertTrue(e.getMessage().contains("use all, a stage (2), a range (1-6) or a list (0,2-6)"), e.getMessage());
    }
}
