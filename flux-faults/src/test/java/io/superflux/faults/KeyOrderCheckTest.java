package io.superflux.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The fault suite's ordering check finds a record called before its key's earlier one was done, and only that. */
class KeyOrderCheckTest {
    private static TaskLog.Line line(String outcome, int stage, int id, long at) {
        return new TaskLog.Line(outcome, stage, id, 0, at, 0, 1);
    }

    @Test
    void aLaterRecordOfAKeyCalledWhileTheEarlierIsInTheChainIsAViolation() {
        // ids 0 and 50 share key k-0; 1 has key k-1
        Map<Integer, String> plans = Map.of(0, "retry", 50, "ok", 1, "ok");
        List<TaskLog.Line> unordered = List.of(line("FAIL", 0, 0, 10), line("OK", 0, 1, 11), line("OK", 0, 50, 12),
                line("OK", 1, 0, 2_000));
        List<KeyOrderCheck.Violation> found = KeyOrderCheck.of(plans, unordered, 2);
        assertEquals(1, found.size(), found.toString());
        assertEquals(50, found.get(0).id());
        assertEquals(0, found.get(0).earlier());
    }

    @Test
    void waitingForTheRetryAndDuplicatesAfterwardsAreFine() {
        Map<Integer, String> plans = Map.of(0, "dead", 50, "ok", 100, "ok");
        List<TaskLog.Line> ordered = List.of(line("FAIL", 0, 0, 10), line("FAIL", 1, 0, 1_000), line("FAIL", 2, 0, 2_000),
                line("OK", 0, 50, 2_001), line("OK", 0, 100, 2_002), line("OK", 0, 50, 2_003), line("DEAD", 3, 0, 2_004));
        assertEquals(List.of(), KeyOrderCheck.of(plans, ordered, 2));
    }
}
