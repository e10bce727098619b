package io.superflux.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class StagePlanTest {

    @Test
    void namesEveryStageAsTheRubyOriginal() {
        StagePlan plan = StagePlan.of("awesome", "magnificent-5", 5);
        assertEquals(7, plan.stages().size());
        assertEquals(new Stage(0, "awesome", "magnificent-5", Stage.Kind.MAIN), plan.stage(0));
        assertEquals(new Stage(1, "awesome-magnificent-5-try-1", "magnificent-5-1", Stage.Kind.RETRY), plan.stage(1));
        assertEquals(new Stage(5, "awesome-magnificent-5-try-5", "magnificent-5-5", Stage.Kind.RETRY), plan.stage(5));
        assertEquals(new Stage(6, "awesome-magnificent-5-dlq", "magnificent-5-6", Stage.Kind.DEAD_LETTER), plan.stage(6));
        assertEquals(6, plan.deadLetterStage());
        assertEquals(List.of("awesome", "awesome-magnificent-5-try-1", "awesome-magnificent-5-try-2",
                "awesome-magnificent-5-try-3", "awesome-magnificent-5-try-4", "awesome-magnificent-5-try-5",
                "awesome-magnificent-5-dlq"), plan.topics());
    }

    @Test
    void zeroRetriesMeansMainAndDeadLetterOnly() {
        StagePlan plan = StagePlan.of("t", "g", 0);
        assertEquals(2, plan.stages().size());
        assertEquals(new Stage(1, "t-g-dlq", "g-1", Stage.Kind.DEAD_LETTER), plan.stage(1));
    }

    @Test
    void rejectsNegativeRetriesAndStagesOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> StagePlan.of("t", "g", -1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StagePlan.of("t", "g", 2).stage(4));
        assertEquals("stage 4 is out of range 0..3", e.getMessage());
    }
}
