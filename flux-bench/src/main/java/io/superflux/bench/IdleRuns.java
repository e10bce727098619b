package io.superflux.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.bench.measure.Measurement;
import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/**
 * {@code idle}: a worker running all 7 stages of a 5-retry task (standard backoff) with nothing
 * to do. Measures, over a window once the worker has settled, the process's CPU time as
 * a share of one core and the fetch requests per second its consumers send (kafka-clients'
 * {@code fetch-total}, read through Flux's meters), and how much of that CPU the JIT compilers took.
 */
final class IdleRuns {
    /**
     * Group joins, first fetches, and the JIT compiling code an idle worker runs rarely: sampled
     * every 30 s, one worker used 2.7–4.4 % of a core for its first 2.5 minutes, then 0.8–1.2 %
     * (the steady state the window measures).
     */
    private static final long SETTLE_MS = 150_000;

    private IdleRuns() {
    }

    /** An idle task: nothing is ever produced to its topic. */
    static final class IdleTask extends Task<byte[]> {
        IdleTask(String topic, String group) {
            super(TaskSpec.topic(topic).group(group).retries(5).bytes());
        }

        @Override
        public void call(Message<byte[]> message) {
        }
    }

    static Measurement flux(String bootstrap, String topic, String group, int seconds) throws InterruptedException {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        SuperFlux.configure(c -> c.brokers(bootstrap).clientId("bench-idle").meterRegistry(meters));
        Worker worker = SuperFlux.start(new IdleTask(topic, group), "all");
        Thread.sleep(SETTLE_MS);
        Measurement measurement = new Measurement();
        double fetchesBefore = fetches(meters);
        long compilingBefore = compilingMillis();
        measurement.start();
        Thread.sleep(seconds * 1000L);
        double fetches = fetches(meters) - fetchesBefore;
        long compiling = compilingMillis() - compilingBefore;
        measurement.stop();
        worker.stop();
        SuperFlux.shutdown();
        measurement.put("value", measurement.get("cpu_core_pct"));
        measurement.put("fetches_per_s", fetches / measurement.get("seconds"));
        measurement.put("jit_pct", 100.0 * compiling / 1000.0 / measurement.get("seconds"));
        return measurement;
    }

    /**
     * Time the JIT compilers spent compiling so far: a worker that has done nothing for minutes
     * still compiles code it runs rarely (one C2 thread was a third of an idle worker's CPU
     * 3–5 minutes after start), a cost that ends, unlike the worker's own.
     */
    private static long compilingMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    private static double fetches(SimpleMeterRegistry meters) {
        return meters.find("kafka.consumer.fetch.manager.fetch.total").functionCounters().stream()
                .mapToDouble(FunctionCounter::count).sum();
    }
}
