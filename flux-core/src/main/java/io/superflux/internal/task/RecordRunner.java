package io.superflux.internal.task;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.superflux.retry.Stage;
import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/**
 * Runs one record through a stage — deserialize, then {@code call} (or the dead-letter hook in
 * the dead-letter stage) — and says what becomes of it. This is the only place where a stage
 * catches what the application throws, so both modes (one record at a time, and key-ordered
 * concurrency) treat every kind of Throwable alike:
 *
 * <ul>
 * <li>The deserializer throws a bad value ({@link BadValues}): a poison pill, straight to the dead
 *     letters with its raw bytes; in the dead-letter stage the hook gets the record with a null
 *     value instead. Anything else it throws is a failed dependency: the record is read again
 *     later, never dead-lettered.</li>
 * <li>{@code call} throws: forward to the next stage, to a routed stage, or straight to the dead
 *     letters if the type is declared fatal. StackOverflowError and other Errors included. With
 *     {@code retryInPlace}, a failure on its way to the next stage is called again first.</li>
 * <li>The dead-letter hook throws: call it again later, holding the partition.</li>
 * <li>After {@link #interruptCalls} (a stop that outlasted its timeout): whatever the interrupted
 *     call throws is not a failure of the record; it is left uncommitted and read again.</li>
 * <li>Only a {@link VirtualMachineError} other than {@link StackOverflowError} stops the stage.</li>
 * </ul>
 *
 * <p>On the reactor thread (one record at a time) a run is one try: the reactor holds the
 * partition between tries, so the poll loop never waits. On a lane, {@link #run} itself waits
 * between tries (only that key waits) until the record is handled, forwarded or the stage stops.
 *
 * <p>Thread-safe: the reactor thread or the lane threads call {@link #run}; any thread may call
 * {@link #interruptCalls} and {@link #stopRetries}.
 */
final class RecordRunner<V> {
    private static final Logger log = LoggerFactory.getLogger(RecordRunner.class);
    private final Task<V> task;
    private final Stage stage;
    private final int deadLetterStage;
    private final Deserializer<V> deserializer;
    private final boolean deadLetters;
    private final boolean onReactorThread;
    private final StageStatus status;
    /** The reactor thread's caller in sequential mode (only it runs calls then); lane threads use {@link #laneCallers}. */
    private Caller reactorCaller;
    private final ThreadLocal<Caller> laneCallers = ThreadLocal.withInitial(() -> new Caller(false));
    private final int inPlaceAttempts;
    private final long inPlaceBackoffMillis;
    private final double timeScale;
    private final StageTime time;
    private volatile boolean interruptedForStop;
    private volatile boolean retriesStopped;
    /** The thread running a call in sequential mode, so that a stop interrupts the call and nothing else. */
    private volatile Thread callingThread;

    /** {@code onReactorThread}: records run on the reactor thread (sequential mode), not on lanes. */
    RecordRunner(Task<V> task, Stage stage, boolean onReactorThread) {
        this(task, stage, onReactorThread, new StageStatus(task.getClass().getSimpleName(), stage, System.currentTimeMillis()), 1.0,
                StageTime.SYSTEM);
    }

    /** The same, telling {@code status} which calls are under way; lane waits scaled by {@code timeScale}. */
    RecordRunner(Task<V> task, Stage stage, boolean onReactorThread, StageStatus status, double timeScale, StageTime time) {
        this.time = time;
        TaskSpec<V> spec = task.spec();
        this.status = status;
        this.task = task;
        this.stage = stage;
        this.deadLetterStage = spec.plan().deadLetterStage();
        this.deserializer = spec.deserializer();
        this.deadLetters = stage.kind() == Stage.Kind.DEAD_LETTER;
        this.onReactorThread = onReactorThread;
        this.inPlaceAttempts = spec.inPlaceAttempts();
        this.inPlaceBackoffMillis = spec.inPlaceBackoff().toMillis();
        this.timeScale = timeScale;
    }

    /**
     * Runs {@code record} on the calling thread and classifies the result; never throws. On the
     * reactor thread one try; on a lane, tries until there is an outcome for the reactor.
     */
    RecordOutcome run(ConsumerRecord<byte[], byte[]> record) {
        return onReactorThread ? runOnce(record) : runOnLane(record);
    }

    /** In-place retries and a failed deserializer's retries on a lane: only this record's key waits. */
    private RecordOutcome runOnLane(ConsumerRecord<byte[], byte[]> record) {
        List<RecordOutcome.FailedAttempt> attempts = null; // allocated only when a call fails
        int deserializerFailures = 0;
        while (true) {
            RecordOutcome outcome = runOnce(record);
            long wait;
            if (outcome.kind() == RecordOutcome.Kind.RETRY_DESERIALIZER) {
                wait = RetryLater.delayMillis(++deserializerFailures, timeScale);
                log.error("The deserializer of {} failed for {}-{}@{} (attempt {}): {}; reading it again in {} ms;"
                                + " the record is kept", status.task(), record.topic(), record.partition(), record.offset(),
                        deserializerFailures, SafeText.describe(outcome.error()), wait);
            } else if (outcome.retriableInPlace() && (attempts == null ? 0 : attempts.size()) < inPlaceAttempts) {
                if (attempts == null) {
                    attempts = new ArrayList<>(inPlaceAttempts);
                }
                attempts.add(new RecordOutcome.FailedAttempt(time.millis(), outcome.error()));
                wait = inPlaceWaitMillis();
            } else {
                return attempts == null ? outcome : outcome.after(attempts);
            }
            if (!waitOnLane(wait)) {
                return RecordOutcome.LEAVE_UNCOMMITTED; // stopping: read again after the restart, retried then
            }
        }
    }

    /** The wait between two in-place attempts, scaled like every retry wait. */
    long inPlaceWaitMillis() {
        return Math.round(inPlaceBackoffMillis * timeScale);
    }

    /** The number of in-place attempts after the first failed call. */
    int inPlaceAttempts() {
        return inPlaceAttempts;
    }

    private boolean waitOnLane(long millis) {
        if (retriesStopped || interruptedForStop) {
            return false;
        }
        try {
            time.sleep(millis);
            return !retriesStopped && !interruptedForStop;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private RecordOutcome runOnce(ConsumerRecord<byte[], byte[]> record) {
        V value;
        try {
            value = deserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (Throwable e) {
            if (isFatalToTheJvm(e)) {
                return RecordOutcome.stopStage(e);
            }
            if (!BadValues.isBadValue(e)) {
                return RecordOutcome.retryDeserializer(e);
            }
            if (!deadLetters) {
                return RecordOutcome.poisonPill(deadLetterStage, poisonPill(record, e));
            }
            value = null; // the dead-letter hook still gets the record, with its raw bytes
        }
        Message<V> message = new Message<>(record, value, stage.number());
        Caller caller;
        if (onReactorThread) {
            callingThread = Thread.currentThread();
            if (reactorCaller == null) {
                reactorCaller = new Caller(true);
            }
            caller = reactorCaller;
        } else {
            caller = laneCallers.get();
        }
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
            if (onReactorThread) {
                callingThread = null;
            }
            // An interrupt is the call's business: one left set (by the stop, or by the task) would
            // otherwise make the consumer's next poll or commit throw.
            Thread.interrupted();
        }
    }

    /**
     * The reactor thread has run the records in hand (sequential mode): the last record's fields
     * leave its log context. Call on the reactor thread.
     */
    void batchDone() {
        if (reactorCaller != null) {
            reactorCaller.context.clear();
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
     * Interrupts the call running on the reactor thread (sequential mode); lane threads are
     * interrupted by their executor.
     */
    void interruptCalls() {
        interruptedForStop = true;
        Thread calling = callingThread;
        if (calling != null) {
            calling.interrupt();
        }
    }

    /** The stage stops: lanes start no further in-place attempt (the record is left uncommitted, read again later). */
    void stopRetries() {
        retriesStopped = true;
    }

    /** Whether {@link #interruptCalls} was called. */
    boolean interruptedForStop() {
        return interruptedForStop;
    }

    /** Whether the stage must stop: the JVM cannot be trusted after it. A stack overflow is the call's own failure. */
    static boolean isFatalToTheJvm(Throwable error) {
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
