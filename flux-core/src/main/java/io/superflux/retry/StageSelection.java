package io.superflux.retry;

import java.util.BitSet;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Which stages a worker runs, parsed from text as given to {@code --stages}: {@code all} (every
 * stage), {@code n}, {@code a-b}, or a comma-separated list of those such as {@code 0,2-4}.
 * Every number must lie in 0..N+1.
 */
public final class StageSelection {
    private final BitSet stages;

    private StageSelection(BitSet stages) {
        this.stages = stages;
    }

    /** Every stage of the plan. */
    public static StageSelection all(StagePlan plan) {
        BitSet all = new BitSet();
        all.set(0, plan.deadLetterStage() + 1);
        return new StageSelection(all);
    }

    /**
     * Parses {@code text} for a plan.
     *
     * @throws IllegalArgumentException naming the bad part, the valid range and the forms allowed
     */
    public static StageSelection parse(String text, StagePlan plan) {
        int last = plan.deadLetterStage();
        String range = "0.." + last + " (0 = main, " + (plan.retries() == 0 ? "" : plan.retries() == 1 ? "1 = retry, "
                : "1-" + plan.retries() + " = retries, ") + last + " = dead letter)";
        String forms = "use all, a stage (2), a range (1-" + last + ") or a list (0,2-" + last + ")";
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("--stages is empty: " + forms + "; stages are " + range);
        }
        if (text.trim().equalsIgnoreCase("all")) {
            return all(plan);
        }
        BitSet selected = new BitSet();
        for (String part : text.split(",", -1)) {
            String item = part.trim();
            if (item.isEmpty()) {
                throw new IllegalArgumentException("--stages '" + text + "' has an empty item: " + forms);
            }
            int dash = item.indexOf('-', 1);
            int from = number(item, dash < 0 ? item : item.substring(0, dash), text, forms);
            int to = dash < 0 ? from : number(item, item.substring(dash + 1), text, forms);
            for (int n : new int[] {from, to}) {
                if (n < 0 || n > last) {
                    throw new IllegalArgumentException("--stages '" + text + "': stage " + n
                            + " is out of range; stages are " + range);
                }
            }
            if (to < from) {
                throw new IllegalArgumentException("--stages '" + text + "': range " + item
                        + " is reversed; write " + to + "-" + from);
            }
            selected.set(from, to + 1);
        }
        return new StageSelection(selected);
    }

    private static int number(String item, String digits, String text, String forms) {
        String trimmed = digits.trim();
        if (!trimmed.matches("-?\\d{1,9}")) {
            throw new IllegalArgumentException("--stages '" + text + "': '" + item + "' is not a stage number or range: " + forms);
        }
        return Integer.parseInt(trimmed);
    }

    /** The selected stage numbers, ascending. */
    public List<Integer> stages() {
        return stages.stream().boxed().collect(Collectors.toList());
    }

    /** Whether {@code stage} is selected. */
    public boolean contains(int stage) {
        return stage >= 0 && stages.get(stage);
    }

    @Override
    public String toString() {
        return stages().toString();
    }
}
