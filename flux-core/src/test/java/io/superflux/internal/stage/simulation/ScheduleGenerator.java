package io.superflux.internal.stage.simulation;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.superflux.retry.Stage;
import io.superflux.task.BatchLimits;

/**
 * Draws a schedule from a seed: a point of the configuration matrix (stage kind × concurrency ×
 * delivery × in-place retries × outage protection × routing × failing onRevoked hooks × batch
 * tasks), records with keys, due times and
 * behaviours, and faults. Swarm testing: each fault kind is switched on for only some schedules,
 * so that faults also meet in small combinations, where they are easiest to see.
 */
final class ScheduleGenerator {
    private ScheduleGenerator() {
    }

    static Schedule generate(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Schedule.Config config = keyOrder(config(random, seed), new SplittableRandom(seed ^ 0x0DDBA11L));
        List<Schedule.Input> inputs = inputs(random, config);
        long lastArrival = inputs.stream().mapToLong(Schedule.Input::arriveAt).max().orElse(0);
        long faultsEnd = lastArrival + random.nextLong(10_000);
        List<Schedule.Fault> faults = faults(random, config, faultsEnd);
        return new Schedule(seed, config, inputs, faults, faultsEnd, Schedule.LIVENESS_MILLIS);
    }

    /** The options after the first draw from a stream of their own, so that adding one leaves every schedule as it was. */
    private static Schedule.Config config(SplittableRandom random, long seed) {
        SplittableRandom later = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int retries = 1 + random.nextInt(3);
        double kind = random.nextDouble();
        Stage.Kind stageKind = kind < 0.5 ? Stage.Kind.MAIN : kind < 0.85 ? Stage.Kind.RETRY : Stage.Kind.DEAD_LETTER;
        int stage = switch (stageKind) {
            case MAIN -> 0;
            case RETRY -> 1 + random.nextInt(retries);
            case DEAD_LETTER -> retries + 1;
        };
        int concurrency = stageKind == Stage.Kind.DEAD_LETTER || random.nextBoolean() ? 1 : 4;
        boolean exactlyOnce = concurrency == 1 && random.nextInt(3) == 0;
        int inPlace = random.nextBoolean() ? 0 : 2;
        Schedule.Outage outage = random.nextBoolean() ? null : new Schedule.Outage(0.5 + random.nextInt(5) / 10.0,
                3 + random.nextInt(8), 1_000 + random.nextInt(4_000), 50 + random.nextInt(500), 1_000 + random.nextInt(4_000));
        long shutdown = 500 + random.nextInt(4_500);
        return new Schedule.Config(stageKind, stage, retries, 1 + random.nextInt(3), concurrency, exactlyOnce, inPlace,
                1_000 + random.nextInt(20_000), outage, random.nextBoolean(), 0.001 + random.nextInt(20) / 1_000.0,
                5 + random.nextInt(500), shutdown, Math.min(shutdown, 100 + random.nextInt(3_000)), later.nextInt(4) == 0,
                batch(later, concurrency), null);
    }

    /**
     * Ordered retries for half the schedules of one-at-a-time plain tasks that forward (drawn
     * after every other option, so the rest of each schedule stays as it was); now and then
     * with so few held entries allowed that the main stage must stop fetching.
     */
    private static Schedule.Config keyOrder(Schedule.Config config, SplittableRandom later) {
        boolean ordered = later.nextBoolean();
        boolean hold = later.nextInt(4) == 0;
        int maxHeld = later.nextInt(4) == 0 ? 1 + later.nextInt(4) : io.superflux.task.KeyOrder.DEFAULT_MAX_HELD;
        if (!ordered || config.kind() == Stage.Kind.DEAD_LETTER || config.concurrency() != 1 || config.batch() != null
                || config.exactlyOnce()) {
            return config;
        }
        io.superflux.task.KeyOrder order = io.superflux.task.KeyOrder.ordered().maxHeld(maxHeld);
        return config.withKeyOrder(hold ? order.holdAfterDeadLetter() : order);
    }

    /** A batch task's limits for a third of the schedules of one-at-a-time stages, else null (a task called per record). */
    private static BatchLimits batch(SplittableRandom later, int concurrency) {
        boolean batches = later.nextInt(3) == 0;
        BatchLimits limits = new BatchLimits(1 + later.nextInt(8), later.nextBoolean() ? Long.MAX_VALUE : 8 + later.nextInt(60),
                java.time.Duration.ofMillis(later.nextBoolean() ? 0 : later.nextInt(400)));
        return batches && concurrency == 1 ? limits : null;
    }

    private static List<Schedule.Input> inputs(SplittableRandom random, Schedule.Config config) {
        int count = 3 + random.nextInt(38);
        int keys = 1 + random.nextInt(6);
        long spread = 200 + random.nextLong(8_000);
        List<Schedule.Input> inputs = new ArrayList<>();
        long at = 0;
        for (int id = 0; id < count; id++) {
            at += random.nextLong(1 + 2 * spread / count);
            String key = random.nextInt(10) == 0 ? null : "k" + random.nextInt(keys);
            long due = config.kind() == Stage.Kind.MAIN ? -1 : Math.max(0, at - 1_000 + random.nextLong(
                    config.kind() == Stage.Kind.RETRY ? 20_000 : 3_000));
            boolean garbled = config.kind() != Stage.Kind.MAIN && random.nextInt(25) == 0;
            Schedule.Behaviour behaviour = behaviour(random, config);
            int failures = behaviour == Schedule.Behaviour.FAIL_N ? 1 + random.nextInt(3) : 0;
            long callMillis = random.nextInt(4) == 0 ? random.nextLong(5) : 0;
            if (random.nextInt(12) == 0) {
                callMillis = 50 + random.nextLong(1_500);
            }
            double value = random.nextDouble();
            Schedule.Value kind = value < 0.04 ? Schedule.Value.BAD : value < 0.08 ? Schedule.Value.TRANSIENT : Schedule.Value.GOOD;
            inputs.add(new Schedule.Input(id, random.nextInt(config.partitions()), key, at, due, garbled, behaviour, failures,
                    callMillis, kind, kind == Schedule.Value.TRANSIENT ? 1 + random.nextInt(3) : 0));
        }
        return inputs;
    }

    private static Schedule.Behaviour behaviour(SplittableRandom random, Schedule.Config config) {
        double draw = random.nextDouble();
        if (config.kind() == Stage.Kind.DEAD_LETTER) {
            return draw < 0.85 ? Schedule.Behaviour.SUCCEED : Schedule.Behaviour.FAIL_N;
        }
        if (draw < 0.62) {
            return Schedule.Behaviour.SUCCEED;
        }
        if (draw < 0.78) {
            return Schedule.Behaviour.FAIL_N;
        }
        if (draw < 0.86) {
            return Schedule.Behaviour.ALWAYS_FAIL;
        }
        if (draw < 0.91) {
            return config.routing() ? Schedule.Behaviour.FATAL : Schedule.Behaviour.ALWAYS_FAIL;
        }
        if (draw < 0.96) {
            return config.routing() ? Schedule.Behaviour.ROUTED : Schedule.Behaviour.FAIL_N;
        }
        return Schedule.Behaviour.HANG_ONCE;
    }

    private static List<Schedule.Fault> faults(SplittableRandom random, Schedule.Config config, long end) {
        List<Schedule.Fault> faults = new ArrayList<>();
        double swarm = 0.2 + random.nextDouble() * 0.4;
        if (random.nextDouble() < swarm) {
            long at = random.nextLong(end + 1);
            faults.add(new Schedule.DependencyDown(at, Math.min(end, at + 500 + random.nextLong(8_000))));
        }
        if (random.nextDouble() < swarm) {
            for (int i = 1 + random.nextInt(3); i > 0; i--) {
                List<Integer> partitions = new ArrayList<>();
                for (int p = 0; p < config.partitions(); p++) {
                    if (random.nextBoolean() || partitions.isEmpty() && p == config.partitions() - 1) {
                        partitions.add(p);
                    }
                }
                faults.add(new Schedule.Rebalance(random.nextLong(end + 1), random.nextInt(4) == 0, partitions,
                        random.nextLong(2_000)));
            }
        }
        if (random.nextDouble() < swarm / 2) {
            faults.add(new Schedule.Stop(random.nextLong(end + 1), random.nextLong(1_000)));
        }
        if (random.nextDouble() < swarm / 2) {
            faults.add(new Schedule.Crash(random.nextLong(end + 1), 1 + random.nextLong(1_000)));
        }
        if (random.nextDouble() < swarm) {
            long at = random.nextLong(end + 1);
            faults.add(new Schedule.SendFaults(at, Math.min(end, at + random.nextLong(10_000)), random.nextDouble() * 0.5,
                    random.nextInt(4) == 0 ? 0.05 : 0, random.nextInt(4) == 0 ? 0.1 : 0));
        }
        if (config.kind() != Stage.Kind.DEAD_LETTER && random.nextDouble() < swarm / 2) {
            long at = random.nextLong(end + 1);
            faults.add(new Schedule.BlockTopic(at, Math.min(end, at + random.nextLong(6_000)), config.stage() + 1));
        }
        if (config.kind() != Stage.Kind.DEAD_LETTER && random.nextDouble() < swarm / 4) {
            long at = random.nextLong(end + 1);
            faults.add(new Schedule.TooLarge(at, Math.min(end, at + random.nextLong(3_000)), 0.3));
        }
        if (random.nextDouble() < swarm) {
            long at = random.nextLong(end + 1);
            faults.add(new Schedule.CommitFaults(at, Math.min(end, at + random.nextLong(8_000)), random.nextDouble() * 0.6,
                    random.nextDouble() * 0.4));
        }
        if (config.exactlyOnce() && random.nextDouble() < swarm * 1.5) {
            long at = random.nextLong(end + 1);
            faults.add(new Schedule.TransactionFaults(at, Math.min(end, at + random.nextLong(8_000)), random.nextDouble() * 0.5,
                    random.nextInt(3) == 0, random.nextInt(3) == 0 ? 0.3 : 0, ""));
        }
        faults.sort((a, b) -> Long.compare(a.at(), b.at()));
        return faults;
    }
}
