package io.superflux.internal.stage.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;

/**
 * Deterministic simulation of the stage engine: the real reactor, lanes, forwarding, commits,
 * throttle and breaker against a simulated Kafka and clock, over thousands of seeded schedules
 * of records and faults, with the invariants checked as the run goes ({@link SimHistory}).
 *
 * <p>{@code -Dsimulation.schedules=N} runs N schedules (default 10,000), from seed
 * {@code -Dsimulation.base} (default 1); {@code -Dsimulation.seed=S} runs schedule S alone, with
 * its trace. A failure prints its seed, the command that replays it, and a shrunk schedule.
 */
class SimulationTest {
    /** Events of a failed run's trace shown: -Dsimulation.trace=N shows more. */
    private static final int TRACE_EVENTS = Integer.getInteger("simulation.trace", 150);
    /** A run stops drawing schedules after this many failures. */
    private static final int MAX_FAILURES = Integer.getInteger("simulation.maxFailures", 20);
    private static Level engineLevel;
    private static Level kafkaLevel;

    @BeforeAll
    static void quiet() {
        quietEngine();
    }

    /** Switches the engine's and kafka-clients' logs off (a simulation meets thousands of faults). */
    static void quietEngine() {
        // The engine logs every fault it meets at WARN; a simulation meets thousands.
        Logger engine = (Logger) LoggerFactory.getLogger("io.superflux");
        Logger kafka = (Logger) LoggerFactory.getLogger("org.apache.kafka");
        engineLevel = engine.getLevel();
        kafkaLevel = kafka.getLevel();
        engine.setLevel(Level.OFF);
        kafka.setLevel(Level.OFF);
    }

    @AfterAll
    static void loud() {
        ((Logger) LoggerFactory.getLogger("io.superflux")).setLevel(engineLevel);
        ((Logger) LoggerFactory.getLogger("org.apache.kafka")).setLevel(kafkaLevel);
    }

    /**
     * Seeds beyond the build's range that found a defect, run with every build. 13993: a batch
     * that failed whole during an outage released a partition whose later record still waited
     * for its in-place backoff. Ordered retries: 19818, an earlier ownership's writes landing after
     * the read back; 21326, a leftover's removal erasing a record parked again; 32760, the hold
     * table's back-pressure stopping the leader that had to be read again; 41190, a record parked
     * in front of the one being released; 51976, a lost partition's writes still in the producer.
     * 87765 (the simulation's own): a batch whose write failed whole tried its later records too.
     */
    @Test
    void seedsThatFoundDefectsBeyondTheBuildsRangeKeepTheInvariants() throws Exception {
        for (long seed : new long[] {13_993, 19_818, 21_326, 32_760, 41_190, 51_976, 87_765}) {
            Simulation.Failure failure = Simulation.run(ScheduleGenerator.generate(seed), true);
            if (failure != null) {
                fail(report(failure, Simulation.shrink(failure, 300)));
            }
        }
    }

    @Test
    void everyScheduleKeepsTheInvariants() throws Exception {
        String only = System.getProperty("simulation.seed");
        if (only != null) {
            StringBuilder reports = new StringBuilder();
            for (String seed : only.split(",")) {
                Simulation.Failure failure = Simulation.run(ScheduleGenerator.generate(Long.parseLong(seed.trim())), true);
                if (failure != null) {
                    reports.append("\n\n").append(report(failure, Simulation.shrink(failure, 300)));
                }
            }
            if (reports.length() > 0) {
                fail(reports.toString());
            }
            return;
        }
        long schedules = Long.getLong("simulation.schedules", 10_000);
        long base = Long.getLong("simulation.base", 1);
        int threads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong next = new AtomicLong(base);
        AtomicInteger done = new AtomicInteger();
        List<Simulation.Failure> failures = Collections.synchronizedList(new ArrayList<>());
        long started = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            workers.add(pool.submit(() -> {
                long seed;
                while ((seed = next.getAndIncrement()) < base + schedules && failures.size() < MAX_FAILURES) {
                    Simulation.Failure failure = Simulation.run(ScheduleGenerator.generate(seed), false);
                    if (failure != null) {
                        failures.add(failure);
                    }
                    done.incrementAndGet();
                }
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("simulation: %d schedules in %.1f s (%.0f per second), %d failed%n", done.get(), seconds,
                done.get() / seconds, failures.size());
        if (!failures.isEmpty()) {
            failures.sort((a, b) -> Long.compare(a.schedule().seed(), b.schedule().seed()));
            StringBuilder text = new StringBuilder();
            java.util.Map<String, List<Simulation.Failure>> byKind = new java.util.LinkedHashMap<>();
            for (Simulation.Failure failure : failures) {
                byKind.computeIfAbsent(failure.kind(), k -> new ArrayList<>()).add(failure);
            }
            byKind.forEach((kind, same) -> text.append("\n  ").append(same.size()).append(" x, seeds ")
                    .append(same.stream().limit(20).map(failure -> Long.toString(failure.schedule().seed()))
                            .collect(java.util.stream.Collectors.joining(","))).append(": ").append(same.get(0).firstLine()));
            Simulation.Failure first = failures.get(0);
            fail(failures.size() + " schedule(s) failed:" + text + "\n\n" + report(first, Simulation.shrink(first, 300)),
                    first.error());
        }
    }

    @Test
    void aRunIsAFunctionOfItsSeed() {
        for (long seed = 1; seed <= 40; seed++) {
            Schedule schedule = ScheduleGenerator.generate(seed);
            SimWorld first = new SimWorld(schedule, true);
            SimWorld second = new SimWorld(schedule, true);
            String one = outcome(first);
            String two = outcome(second);
            assertNotNull(one);
            assertEquals(first.history().trace(), second.history().trace(), "seed " + seed + " ran differently twice");
            assertEquals(one, two);
        }
    }

    private static String outcome(SimWorld world) {
        try {
            world.run();
            return "ok";
        } catch (Throwable e) {
            return String.valueOf(e.getMessage());
        }
    }

    private static String report(Simulation.Failure failure, Simulation.Failure shrunk) {
        long seed = failure.schedule().seed();
        Simulation.Failure shown = shrunk != null ? shrunk : failure;
        List<String> trace = shown.trace();
        StringBuilder text = new StringBuilder("Seed ").append(seed).append(" broke an invariant: ").append(failure.firstLine())
                .append("\nReplay it alone: mvn -B -pl flux-core test -Dtest=SimulationTest -Dsimulation.seed=").append(seed)
                .append("\nShrunk to: ").append(shown.schedule().describe())
                .append("\nwhich fails with: ").append(shown.error().getMessage())
                .append("\nTrace of the shrunk run (last " + TRACE_EVENTS + " events):");
        for (String event : trace.subList(Math.max(0, trace.size() - TRACE_EVENTS), trace.size())) {
            text.append("\n  ").append(event);
        }
        return text.toString();
    }
}
