package io.superflux.internal.stage.record;

import java.util.List;
import io.superflux.internal.headers.FailedCall;

/**
 * What became of one record in a stage, decided in one place ({@link RecordRunner}) for the
 * sequential and the concurrent mode alike; {@link InPlaceRetries} decides whether a try that did
 * not succeed is made again, and the dispatch carries out the final outcome.
 *
 * @param kind        what the reactor does with the record
 * @param targetStage the stage a {@link Kind#FORWARD forwarded} record goes to, else -1
 * @param error       what failed, null when the record was handled
 * @param cause       why a forwarded record failed (none when it did not)
 * @param earlier     the failed calls before this outcome that were retried in place (oldest first)
 */
public record RecordOutcome(Kind kind, int targetStage, Throwable error, Cause cause, List<FailedCall> earlier) {
    /** What the reactor does with the record. */
    public enum Kind {
        /** {@code call} (or the dead-letter hook) returned: the record is complete. */
        HANDLED,
        /** The record goes to {@code targetStage}: the next retry, a routed stage, or the dead letters. */
        FORWARD,
        /** The dead-letter hook failed: hold the partition and call it again later. */
        RETRY_HOOK,
        /**
         * The deserializer failed with something other than a bad value (its registry cannot be
         * reached…): hold the partition and read the record again later; never dead-lettered.
         */
        RETRY_DESERIALIZER,
        /** The call was interrupted by a stop: not a failure; the record stays uncommitted and is read again. */
        LEAVE_UNCOMMITTED,
        /** An error the JVM cannot carry on after (OutOfMemoryError, InternalError…): the stage stops. */
        STOP_STAGE
    }

    /** Why a forwarded record failed, which says whether it may be called again in place. */
    public enum Cause {
        /** Not forwarded. */
        NONE,
        /** The call threw, on its way to the next stage: may be retried in place. */
        CALL,
        /** The call threw a type the task declared fatal or routed: goes where declared, at once. */
        DECLARED,
        /** The value could not be deserialized: a poison pill, straight to the dead letters. */
        BAD_VALUE
    }


    public static final RecordOutcome HANDLED = new RecordOutcome(Kind.HANDLED, -1, null, Cause.NONE, List.of());
    public static final RecordOutcome LEAVE_UNCOMMITTED = new RecordOutcome(Kind.LEAVE_UNCOMMITTED, -1, null, Cause.NONE, List.of());

    /** A failed call goes to {@code targetStage}; {@code declared}: by a fatal type or a route, not by default. */
    public static RecordOutcome forward(int targetStage, Throwable error, boolean declared) {
        return new RecordOutcome(Kind.FORWARD, targetStage, error, declared ? Cause.DECLARED : Cause.CALL, List.of());
    }

    public static RecordOutcome poisonPill(int deadLetterStage, Throwable error) {
        return new RecordOutcome(Kind.FORWARD, deadLetterStage, error, Cause.BAD_VALUE, List.of());
    }

    public static RecordOutcome retryHook(Throwable error) {
        return new RecordOutcome(Kind.RETRY_HOOK, -1, error, Cause.NONE, List.of());
    }

    public static RecordOutcome retryDeserializer(Throwable error) {
        return new RecordOutcome(Kind.RETRY_DESERIALIZER, -1, error, Cause.NONE, List.of());
    }

    public static RecordOutcome stopStage(Throwable error) {
        return new RecordOutcome(Kind.STOP_STAGE, -1, error, Cause.NONE, List.of());
    }

    /** The same outcome, after the failed calls {@code attempts} were retried in place. */
    public RecordOutcome after(List<FailedCall> attempts) {
        return attempts.isEmpty() ? this : new RecordOutcome(kind, targetStage, error, cause, List.copyOf(attempts));
    }

    /** Whether the value could not be deserialized (counted apart from failed calls). */
    public boolean poisonPill() {
        return cause == Cause.BAD_VALUE;
    }

    /**
     * Whether a stage may call the record again before forwarding it: a failed call on its way to
     * the next stage — not a bad value, not a fatal or routed exception, which go where declared.
     */
    public boolean retriableInPlace() {
        return kind == Kind.FORWARD && cause == Cause.CALL;
    }
}
