package io.superflux.faults;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a fault run did to the records, from the task's log: how many were produced, lost (no
 * final outcome: handled in its planned stage, or dead-lettered), handled early (before their due
 * time), handled more than once (at-least-once duplicates).
 */
record Figures(int produced, int completed, int lost, int early, int duplicates) {

    /** Counts {@code lines} against the plan of each produced id; {@code deadLetterStage} is N+1. */
    static Figures of(Map<Integer, String> plans, List<TaskLog.Line> lines, int deadLetterStage) {
        Map<Integer, Integer> finals = new HashMap<>();
        int early = 0;
        for (TaskLog.Line line : lines) {
            if (line.early()) {
                early++;
            }
            String plan = plans.get(line.id());
            if (plan != null && isFinal(plan, line, deadLetterStage)) {
                finals.merge(line.id(), 1, Integer::sum);
            }
        }
        int duplicates = finals.values().stream().mapToInt(n -> n - 1).sum();
        return new Figures(plans.size(), finals.size(), plans.size() - finals.size(), early, duplicates);
    }

    /** How many produced ids have their final outcome in {@code lines}. */
    static int completed(Map<Integer, String> plans, List<TaskLog.Line> lines, int deadLetterStage) {
        return (int) lines.stream().filter(line -> plans.containsKey(line.id())
                && isFinal(plans.get(line.id()), line, deadLetterStage)).map(TaskLog.Line::id).distinct().count();
    }

    private static boolean isFinal(String plan, TaskLog.Line line, int deadLetterStage) {
        return switch (plan) {
            case "ok" -> line.outcome().equals("OK") && line.stage() == 0;
            case "retry" -> line.outcome().equals("OK") && line.stage() == 1;
            case "dead" -> line.outcome().equals("DEAD") && line.stage() == deadLetterStage;
            default -> false;
        };
    }
}
