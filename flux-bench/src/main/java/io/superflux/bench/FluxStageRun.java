package io.superflux.bench;

import java.util.function.Function;

import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.bench.measure.Measurement;
import io.superflux.task.Task;

/** Runs Flux's main stage of a task over a topic of {@code count} records and measures its steady-state window. */
final class FluxStageRun {
    private FluxStageRun() {
    }

    /** {@code task} gets the completion its calls report to. */
    static Measurement mainStage(String bootstrap, long count, Function<Completion, Task<?>> task) throws InterruptedException {
        SuperFlux.configure(c -> c.brokers(bootstrap).clientId("bench-flux"));
        Completion completion = new Completion(count);
        Worker worker = SuperFlux.start(task.apply(completion), "0");
        Measurement measurement = completion.measureSteady();
        worker.stop();
        SuperFlux.shutdown();
        return measurement;
    }
}
