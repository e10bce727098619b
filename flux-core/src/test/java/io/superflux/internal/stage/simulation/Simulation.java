package io.superflux.internal.stage.simulation;

import java.util.List;

/** Runs schedules, and shrinks one that fails. */
final class Simulation {
    /** A schedule that broke an invariant, and how. */
    record Failure(Schedule schedule, Throwable error, List<String> trace) {
        String firstLine() {
            String message = String.valueOf(error.getMessage());
            int newline = message.indexOf('\n');
            return newline < 0 ? message : message.substring(0, newline);
        }

        /** The kind of violation, for shrinking: its text without numbers. */
        String kind() {
            String line = firstLine();
            int colon = line.indexOf(": ");
            return (colon < 0 ? line : line.substring(colon + 2)).replaceAll("[0-9#]+", "").replaceAll("\\(.*", "");
        }
    }

    private Simulation() {
    }

    /** Runs {@code schedule}; null if every invariant held. */
    static Failure run(Schedule schedule, boolean tracing) {
        SimWorld world = new SimWorld(schedule, tracing);
        try {
            world.run();
            return null;
        } catch (Throwable e) {
            return new Failure(schedule, e, world.history().trace());
        }
    }

    /**
     * A smaller schedule that fails the same way: drops faults, then records, one at a time while
     * the failure stays (at most {@code budget} runs).
     */
    static Failure shrink(Failure failure, int budget) {
        Failure smallest = failure;
        boolean progress = true;
        int runs = 0;
        while (progress && runs < budget) {
            progress = false;
            for (Schedule.Fault fault : List.copyOf(smallest.schedule().faults())) {
                if (runs++ >= budget) {
                    break;
                }
                Failure smaller = run(smallest.schedule().without(fault), false);
                if (smaller != null && smaller.kind().equals(failure.kind())) {
                    smallest = smaller;
                    progress = true;
                }
            }
            List<Schedule.Input> inputs = List.copyOf(smallest.schedule().inputs());
            for (int i = inputs.size() - 1; i >= 0 && runs < budget; i--) {
                runs++;
                Failure smaller = run(smallest.schedule().without(inputs.get(i)), false);
                if (smaller != null && smaller.kind().equals(failure.kind())) {
                    smallest = smaller;
                    progress = true;
                }
            }
        }
        return run(smallest.schedule(), true);
    }
}
