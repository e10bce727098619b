package io.superflux.faults;

import java.nio.file.Path;

import io.superflux.task.Batch;
import io.superflux.task.BatchLimits;
import io.superflux.task.BatchTask;
import io.superflux.task.Message;

/**
 * {@link FaultTask}'s plan as a batch task: each record of a batch is logged and marked failed as
 * the plan says; with {@code faults.call-ms} the batch as a whole takes that long, as one bulk
 * write does. Batches of {@code faults.batch-records} (100).
 */
public final class FaultBatchTask extends BatchTask<String> {
    private final TaskLog log;
    private final long callMillis;

    public FaultBatchTask() {
        super(FaultTask.plannedSpec().batchLimits(BatchLimits.standard().withMaxRecords(Integer.getInteger("faults.batch-records", 100))));
        log = TaskLog.appendingTo(Path.of(System.getProperty("faults.log")));
        callMillis = Long.getLong("faults.call-ms", 0);
    }

    @Override
    public void call(Batch<String> batch) throws InterruptedException {
        if (callMillis > 0) {
            batch.forEach(message -> FaultTask.logStart(log, message));
            Thread.sleep(callMillis);
        }
        for (Message<String> message : batch) {
            String failure = FaultTask.outcome(log, message);
            if (failure != null) {
                batch.failed(message, new IllegalStateException(failure));
            }
        }
    }

    @Override
    public void deadLetter(Message<String> message) {
        FaultTask.deadLetter(log, message);
    }
}
