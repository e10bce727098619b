package io.superflux.internal.stage;

import java.util.Map;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.consumer.Consumer;

import io.superflux.internal.stage.commit.AtLeastOnceCommits;
import io.superflux.internal.stage.commit.CommitStrategy;
import io.superflux.internal.stage.commit.TransactionalCommits;
import io.superflux.internal.stage.dispatch.BatchDispatch;
import io.superflux.internal.stage.dispatch.Dispatch;
import io.superflux.internal.stage.dispatch.FinalOutcomes;
import io.superflux.internal.stage.dispatch.InOrderDispatch;
import io.superflux.internal.stage.dispatch.LaneDispatch;
import io.superflux.internal.stage.environment.StageEnvironment;
import io.superflux.internal.stage.environment.StageSettings;
import io.superflux.internal.stage.forward.ForwardRecords;
import io.superflux.internal.stage.forward.ForwardTracker;
import io.superflux.internal.stage.forward.Forwarder;
import io.superflux.internal.stage.ops.StageMeters;
import io.superflux.internal.stage.ops.StageStatus;
import io.superflux.internal.stage.order.DoneMarks;
import io.superflux.internal.stage.order.KeyOrdering;
import io.superflux.internal.stage.order.OrderClients;
import io.superflux.internal.stage.order.OrderEntries;
import io.superflux.internal.stage.order.OrderMarks;
import io.superflux.internal.stage.outage.OutageGate;
import io.superflux.internal.stage.position.DueTimes;
import io.superflux.internal.stage.position.FetchRest;
import io.superflux.internal.stage.position.OffsetResets;
import io.superflux.internal.stage.position.PauseControl;
import io.superflux.internal.stage.progress.StageProgress;
import io.superflux.internal.stage.record.InPlaceRetries;
import io.superflux.internal.stage.record.RecordRunner;
import io.superflux.retry.Stage;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/**
 * The parts of one stage, wired: what the reactor's loop passes records and outcomes between.
 * Only the main stage has an outage gate; only a stage with concurrency above 1 has lanes (never
 * the dead-letter stage); a batch task's stages call batches (its dead-letter stage calls its
 * hook per record); exactly-once stages that forward commit in transactions; with ordered retries
 * the main stage parks the records of held keys and releases them, and the later stages say when
 * a key's leader is done.
 */
record StageParts(Stage stage, String taskName, Consumer<byte[], byte[]> consumer, StageEnvironment environment,
                  StageSettings settings, StageMeters meters, StageStatus status, StageProgress progress,
                  PauseControl pauses, FetchRest rest, ForwardTracker forwards, CommitStrategy commits, OutageGate gate,
                  Dispatch dispatch, OffsetResets resets, StageFigures figures, PartitionHooks hooks, KeyOrdering order) {

    /**
     * The parts of {@code stage} of {@code task}; {@code halted} says when the stage stops taking
     * records; {@code orderClients} are the order topic's clients of a main stage with ordered
     * retries (else null).
     */
    static <V> StageParts of(Task<V> task, Stage stage, Consumer<byte[], byte[]> consumer, Forwarder forwarder,
                             Map<String, Integer> partitionCounts, StageEnvironment environment, StageSettings settings,
                             StageMeters meters, BooleanSupplier halted, OrderClients orderClients) {
        TaskSpec<V> spec = task.spec();
        String taskName = task.getClass().getSimpleName();
        StageStatus status = meters.status();
        StageProgress progress = new StageProgress();
        PauseControl pauses = new PauseControl(consumer, environment.time());
        ForwardTracker forwards = new ForwardTracker(forwarder, environment.time(), stage, meters);
        OutageGate gate = stage.kind() != Stage.Kind.MAIN ? null : spec.outageProtection()
                .map(policy -> new OutageGate(policy, environment.time(), stage, taskName)).orElse(null);
        int concurrency = stage.kind() == Stage.Kind.DEAD_LETTER ? 1 : spec.concurrency();
        RecordRunner<V> runner = new RecordRunner<>(task, stage, concurrency == 1, status, environment.time());
        InPlaceRetries inPlace = new InPlaceRetries(spec.inPlaceAttempts(), spec.inPlaceBackoff(), settings.timeScale(), taskName);
        DueTimes dueTimes = stage.kind() == Stage.Kind.MAIN ? null : new DueTimes(stage, spec.backoff(), settings.timeScale());
        ForwardRecords forwardRecords = new ForwardRecords(spec.plan(), stage, spec.backoff(), settings.timeScale(),
                partitionCounts, environment.random());
        KeyOrdering order = null;
        OrderMarks marks = null;
        if (spec.keyOrder().isPresent()) {
            int deadLetterStage = spec.plan().deadLetterStage();
            if (stage.kind() == Stage.Kind.MAIN) {
                order = new KeyOrdering(spec.keyOrder().get(), java.util.Objects.requireNonNull(orderClients, "orderClients"),
                        deadLetterStage, forwards, runner, inPlace, forwardRecords, meters, environment.time(), gate,
                        () -> pauses.releaseAll(io.superflux.internal.stage.position.PauseControl.Reason.OUTAGE), halted);
                marks = order;
            } else {
                marks = new DoneMarks(stage, deadLetterStage, OrderEntries.topic(spec.topic(), spec.group()),
                        spec.keyOrder().get(), forwards, environment.time());
            }
        }
        FinalOutcomes outcomes = new FinalOutcomes(stage, forwardRecords, forwards, meters, gate, environment.time(), marks);
        Dispatch[] dispatch = new Dispatch[1];
        CommitStrategy commits = settings.exactlyOnce() && forwarder.transactional()
                ? new TransactionalCommits(consumer, forwarder, forwards, progress, pauses, environment.time(), stage,
                        settings.commitInterval(), partitions -> {
                            dispatch[0].forget(partitions);
                            if (gate != null) {
                                gate.forget(partitions);
                            }
                        }, halted)
                : new AtLeastOnceCommits(consumer, stage, progress, environment.time(), settings.commitInterval());
        boolean batches = task instanceof io.superflux.task.BatchTask && stage.kind() != Stage.Kind.DEAD_LETTER;
        dispatch[0] = batches ? new BatchDispatch(runner, inPlace, dueTimes, pauses, outcomes, commits, progress,
                        environment.time(), halted, meters, settings.batchLimits())
                : concurrency == 1 ? new InOrderDispatch(runner, inPlace, dueTimes, pauses, outcomes, commits, progress,
                        environment.time(), halted, order)
                : new LaneDispatch(environment.lanes().create(concurrency, "flux-" + stage.group()), concurrency, runner,
                        inPlace, dueTimes, pauses, outcomes, progress, environment.time(), halted);
        return new StageParts(stage, taskName, consumer, environment, settings, meters, status, progress, pauses,
                new FetchRest(stage, spec.backoff(), settings.timeScale()), forwards, commits, gate, dispatch[0],
                new OffsetResets(consumer, stage, settings.mainStageReset(), meters, environment.time()),
                new StageFigures(consumer, environment.time()), new PartitionHooks(task, stage), order);
    }
}
