package io.superflux.internal.stage.record;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

import io.superflux.internal.headers.SafeText;
import io.superflux.internal.stage.environment.StageTime;
import io.superflux.internal.stage.ops.StageStatus;
import io.superflux.retry.Stage;
import io.superflux.task.Batch;
import io.superflux.task.BatchTask;
import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/**
 * Tries one record once in a stage — deserialize, then {@code call} (or the dead-letter hook in
 * the dead-letter stage) — and says what became of it. This is the only place where a stage
 * catches what the application throws, so both ways of dispatching treat every kind of
 * Throwable alike:
 *
 * <ul>
 * <li>The deserializer throws a bad value ({@link BadValues}): a poison pill, straight to the dead
 *     letters with its raw bytes; in the dead-letter stage the hook gets the record with a null
 *     value instead. Anything else it throws is a failed dependency: tried again later.</li>
 * <li>{@code call} throws: forward to the next stage, to a routed stage, or straight to the dead
 *     letters if the type is declared fatal. StackOverflowError and other Errors included.</li>
 * <li>The dead-letter hook throws: tried again later.</li>
 * <li>After {@link #interruptCalls} (a stop that outlasted its timeout): whatever the interrupted
 *     call throws is not a failure of the record; it is left uncommitted and read again.</li>
 * <li>Only a {@link VirtualMachineError} other than {@link StackOverflowError} stops the stage.</li>
 * </ul>
 *
 * <p>Whether and when a try is made again is {@link InPlaceRetries}' to say. Thread-safe: the
 * stage thread or the lane threads call {@link #run}; any thread may call {@link #interruptCalls}.
 */
public final class RecordRunner<V> {
    private final Task<V> task;
    private final Stage stage;
    private final int deadLetterStage;
    private final Deserializer<V> deserializer;
    private final boolean deadLetters;
    private final boolean onStageThread;
    private final StageStatus status;
    private final StageTime time;
    /** The stage thread's caller when records run there; lane threads use {@link #laneCallers}. */
    private Caller stageCaller;
    private final ThreadLocal<Caller> laneCallers = ThreadLocal.withInitial(() -> new Caller(false));
    private volatile boolean interruptedForStop;
    /** The thread running a call on the stage thread, so that a stop interrupts the call and nothing else. */
    private volatile Thread callingThread;

    /**
     * A runner of {@code task}'s records in {@code stage}; {@code onStageThread}: records run on
     * the stage's own thread (one at a time), not on lanes. Calls are reported to {@code status}.
     */
    public RecordRunner(Task<V> task, Stage stage, boolean onStageThread, StageStatus status, StageTime time) {
        TaskSpec<V> spec = task.spec();
        this.task = task;
        this.stage = stage;
        this.deadLetterStage = spec.plan().deadLetterStage();
        this.deserializer = spec.deserializer();
        this.deadLetters = stage.kind() == Stage.Kind.DEAD_LETTER;
        this.onStageThread = onStageThread;
        this.status = status;
        this.time = time;
    }

    /** Tries {@code record} once on the calling thread and classifies the result; never throws. */
    public RecordOutcome run(ConsumerRecord<byte[], byte[]> record) {
        Read<V> read = read(record);
        return read.outcome() != null ? read.outcome() : call(record, new Message<>(record, read.value(), stage.number()));
    }

    /**
     * Tries {@code records} once as one batch of a {@link BatchTask} on the stage thread: every
     * record is read, those with a value are passed to {@code call(Batch)}, and each record's
     * outcome is classified as {@link #run} would classify it alone (a record marked failed, or
     * not marked when the call threw, as a failed call). Never throws.
     */
    public RecordOutcome[] runBatch(List<ConsumerRecord<byte[], byte[]>> records) {
        RecordOutcome[] outcomes = new RecordOutcome[records.size()];
        List<Message<V>> messages = new ArrayList<>(records.size());
        int[] positions = new int[records.size()];
        for (int i = 0; i < records.size(); i++) {
            Read<V> read = read(records.get(i));
            outcomes[i] = read.outcome();
            if (read.outcome() == null) {
                positions[messages.size()] = i;
                messages.add(new Message<>(records.get(i), read.value(), stage.number()));
            }
        }
        if (messages.isEmpty()) {
            return outcomes;
        }
        Batch<V> batch = Batch.of(messages);
        Throwable thrown = callBatch(batch, records.get(0));
        java.util.Map<Message<V>, Throwable> failures = batch.failures(); // read once, when the call returned
        for (int j = 0; j < messages.size(); j++) {
            Throwable failure = failures.get(messages.get(j));
            outcomes[positions[j]] = failure != null ? classify(failure) : thrown != null ? classify(thrown) : RecordOutcome.HANDLED;
        }
        return outcomes;
    }

    private Throwable callBatch(Batch<V> batch, ConsumerRecord<byte[], byte[]> first) {
        Caller caller = caller();
        caller.slot.start(first.partition(), first.offset(), time.millis());
        caller.context.enterBatch(batch);
        try {
            ((BatchTask<V>) task).call(batch);
            return null;
        } catch (Throwable e) {
            return e;
        } finally {
            caller.context.clear();
            caller.slot.end();
            callingThread = null;
            Thread.interrupted(); // as after a call: an interrupt left set would fail the next poll or commit
        }
    }

    /** A record's value, or the outcome that ends its try before any call (a bad value, a failed deserializer). */
    private record Read<V>(V value, RecordOutcome outcome) {
    }

    private Read<V> read(ConsumerRecord<byte[], byte[]> record) {
        try {
            return new Read<>(deserializer.deserialize(record.topic(), record.headers(), record.value()), null);
        } catch (Throwable e) {
            if (isFatalToTheJvm(e)) {
                return new Read<>(null, RecordOutcome.stopStage(e));
            }
            if (!BadValues.isBadValue(e)) {
                return new Read<>(null, RecordOutcome.retryDeserializer(e));
            }
            if (!deadLetters) {
                return new Read<>(null, RecordOutcome.poisonPill(deadLetterStage, poisonPill(record, e)));
            }
            return new Read<>(null, null); // the dead-letter hook still gets the record, with its raw bytes
        }
    }

    private RecordOutcome call(ConsumerRecord<byte[], byte[]> record, Message<V> message) {
        Caller caller = caller();
        caller.slot.start(record.partition(), record.offset(), time.millis());
        caller.context.enter(record, message.key());
        try {
            if (deadLetters) {
                task.deadLetter(message);
            } else {
                task.call(message);
            }
            return RecordOutcome.HANDLED;
        } catch (Throwable e) {
            return classify(e);
        } finally {
            caller.context.leave();
            caller.slot.end();
            if (onStageThread) {
                callingThread = null;
            }
            // An interrupt is the call's business: one left set (by the stop, or by the task) would
            // otherwise make the consumer's next poll or commit throw.
            Thread.interrupted();
        }
    }

    private Caller caller() {
        if (!onStageThread) {
            return laneCallers.get();
        }
        callingThread = Thread.currentThread();
        if (stageCaller == null) {
            stageCaller = new Caller(true);
        }
        return stageCaller;
    }

    /**
     * The stage thread has run the records in hand: the last record's fields leave its log
     * context. Call on the stage thread.
     */
    public void batchDone() {
        if (stageCaller != null) {
            stageCaller.context.clear();
        }
    }

    private RecordOutcome classify(Throwable error) {
        if (isFatalToTheJvm(error)) {
            return RecordOutcome.stopStage(error);
        }
        if (interruptedForStop) {
            return RecordOutcome.LEAVE_UNCOMMITTED;
        }
        if (deadLetters) {
            return RecordOutcome.retryHook(error);
        }
        int target = task.spec().nextStage(stage.number(), error);
        return RecordOutcome.forward(target, error, target != stage.number() + 1 || task.spec().isFatal(error));
    }

    /**
     * A stop outlasted its timeout: from now on a failing call is left uncommitted, not forwarded.
     * Interrupts the call running on the stage thread; lane threads are interrupted by their pool.
     */
    public void interruptCalls() {
        interruptedForStop = true;
        Thread calling = callingThread;
        if (calling != null) {
            calling.interrupt();
        }
    }

    /** Whether {@link #interruptCalls} was called. */
    public boolean interruptedForStop() {
        return interruptedForStop;
    }

    /** The task's simple class name. */
    public String taskName() {
        return status.task();
    }

    /** Whether the stage must stop: the JVM cannot be trusted after it. A stack overflow is the call's own failure. */
    public static boolean isFatalToTheJvm(Throwable error) {
        return error instanceof VirtualMachineError && !(error instanceof StackOverflowError);
    }

    /** What one thread that runs calls keeps: its health slot and its log context. */
    private final class Caller {
        final StageStatus.CallSlot slot = status.newCallSlot();
        final CallContext context;

        Caller(boolean lingering) {
            context = new CallContext(status.task(), stage.number(), lingering);
        }
    }

    private SerializationException poisonPill(ConsumerRecord<byte[], byte[]> record, Throwable cause) {
        return new SerializationException("The value of " + record.topic() + "-" + record.partition() + "@" + record.offset()
                + " cannot be deserialized with " + deserializer.getClass().getName() + ": " + SafeText.describe(cause), cause);
    }
}
