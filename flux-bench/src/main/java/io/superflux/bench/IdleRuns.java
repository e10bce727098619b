package io.superflux.bench;

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
 * to do. Measures, over a window after the stages joined their groups, the process's CPU time as
 * a share of one core and the fetch requests per second its consumers send (kafka-clients'
 * {@code fetch-total}, read through Flux's meters).
 */
final class IdleRuns {
    /** Group joins, first fetches, and the JIT compiling the idle loop: ~4 % of a core for the first half minute. */
    private static final long SETTLE_MS = 30_000;

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
        measurement.start();
        Thread.sleep(seconds * 1000L);
        double fetches = fetches(meters) - fetchesBefore;
        measurement.stop();
        worker.stop();
        SuperFlux.shutdown();
        measurement.put("value", measurement.get("cpu_core_pct"));
        measurement.put("fetches_per_s", fetches / measurement.get("seconds"));
        return measurement;
    }

    private static double fetches(SimpleMeterRegistry meters) {
        return meters.find("kafka.consumer.fetch.manager.fetch.total").functionCounters().stream()
                .mapToDouble(FunctionCounter::count).sum();
    }
}
