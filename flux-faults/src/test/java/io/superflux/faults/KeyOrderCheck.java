package io.superflux.faults;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The promise of ordered retries, read from a fault run's task log: per key, the records (ids in
 * production order: their sequence) are each called first only once every earlier record of the
 * key reached its final outcome — handled in its planned stage, or, for one planned to die, its
 * last failed retry (after which it is dead-lettered) — and their first successes come in
 * sequence. Duplicates after a crash are allowed; only first times count.
 */
final class KeyOrderCheck {
    /** A record called before an earlier record of its key was done. */
    record Violation(String key, int id, int earlier, long calledAt, long earlierDoneAt) {
        @Override
        public String toString() {
            return "key " + key + ": " + id + " first called at " + calledAt + ", before " + earlier + " reached its final"
                    + " outcome (" + (earlierDoneAt < 0 ? "never" : "at " + earlierDoneAt) + ")";
        }
    }

    private KeyOrderCheck() {
    }

    /** The violations in {@code lines}, for records keyed {@code k-<id mod 50>} (as {@link FaultRun#produce} keys them). */
    static List<Violation> of(Map<Integer, String> plans, List<TaskLog.Line> lines, int retries) {
        Map<Integer, Long> firstCall = new HashMap<>();
        Map<Integer, Long> doneAt = new HashMap<>();
        for (TaskLog.Line line : lines) {
            String plan = plans.get(line.id());
            if (plan == null || !line.ended()) {
                continue;
            }
            if (line.stage() == 0) {
                firstCall.merge(line.id(), line.at(), Math::min);
            }
            boolean done = switch (plan) {
                case "ok" -> line.outcome().equals("OK") && line.stage() == 0;
                case "retry" -> line.outcome().equals("OK") && line.stage() == 1;
                default -> line.outcome().equals("FAIL") && line.stage() == retries;
            };
            if (done) {
                doneAt.merge(line.id(), line.at(), Math::min);
            }
        }
        Map<String, TreeMap<Integer, Long>> byKey = new HashMap<>();
        firstCall.forEach((id, at) -> byKey.computeIfAbsent("k-" + id % 50, k -> new TreeMap<>()).put(id, at));
        List<Violation> violations = new ArrayList<>();
        byKey.forEach((key, calls) -> {
            Integer previous = null;
            for (Map.Entry<Integer, Long> call : calls.entrySet()) {
                if (previous != null) {
                    long done = doneAt.getOrDefault(previous, -1L);
                    if (done < 0 || call.getValue() < done) {
                        violations.add(new Violation(key, call.getKey(), previous, call.getValue(), done));
                    }
                }
                previous = call.getKey();
            }
        });
        return violations;
    }
}
