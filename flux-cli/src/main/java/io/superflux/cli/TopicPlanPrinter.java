package io.superflux.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.stream.Collectors;

import io.superflux.internal.topics.TopicPlan;

/** Prints a {@link TopicPlan} as {@code flux topics plan} and {@code flux topics create} show it. */
final class TopicPlanPrinter {
    private TopicPlanPrinter() {
    }

    /** One line per change, then the unsafe findings and warnings; {@code done} says whether it was applied. */
    static void print(TopicPlan plan, PrintWriter out, boolean done) {
        for (TopicPlan.Change change : plan.changes()) {
            switch (change.action()) {
                case CREATE -> out.printf("%s %-50s partitions=%d replication-factor=%s%s%n", done ? "created " : "+ create",
                        change.topic(), change.partitions(),
                        change.replicationFactor().isPresent() ? Integer.toString(change.replicationFactor().getAsInt()) : "default",
                        change.configs().isEmpty() ? "" : " " + settings(change.configs()));
                case ADD_PARTITIONS -> out.printf("%s %-50s partitions -> %d (%s)%n", done ? "grown   " : "~ grow  ",
                        change.topic(), change.partitions(), change.reason());
                case ALTER_CONFIGS -> out.printf("%s %-50s %s (%s)%n", done ? "changed " : "~ change", change.topic(),
                        change.configs().entrySet().stream().map(e -> e.getKey() + ": " + change.current().get(e.getKey())
                                + " -> " + e.getValue()).collect(Collectors.joining(", ")), change.reason());
            }
        }
        plan.unsafe().forEach(problem -> out.println("unsafe: " + problem));
        plan.warnings().forEach(warning -> out.println("warning: " + warning));
        long creates = plan.changes(TopicPlan.Action.CREATE).size();
        long others = plan.changes().size() - creates;
        if (plan.upToDate()) {
            out.println("No changes: the stage topics are up to date.");
        } else {
            out.printf("%s: %d to create, %d to change.%n", done ? "Done" : "Plan", creates, others);
        }
    }

    private static String settings(Map<String, String> configs) {
        return configs.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }
}
