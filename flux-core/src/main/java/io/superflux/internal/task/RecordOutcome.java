package io.superflux.internal.task;

/**
 * What became of one record in a stage, decided in one place ({@link RecordRunner}) for the
 * sequential and the concurrent mode alike, and carried out by the reactor.
 *
 * @param kind        what the reactor does with the record
 * @param targetStage the stage a {@link Kind#FORWARD forwarded} record goes to, else -1
 * @param error       what failed, null when the record was handled
 * @param poisonPill  whether the value could not be deserialized (counted apart from failed calls)
 */
record RecordOutcome(Kind kind, int targetStage, Throwable error, boolean poisonPill) {
    /** What the reactor does with the record. */
    enum Kind {
        /** {@code call} (or the dead-letter hook) returned: the record is complete. */
        HANDLED,
        /** The record goes to {@code targetStage}: the next retry, or the dead letters. */
        FORWARD,
        /** The dead-letter hook failed: hold the partition and call it again later. */
        RETRY_HOOK,
        /** The call was interrupted by a stop: not a failure; the record stays uncommitted and is read again. */
        LEAVE_UNCOMMITTED,
        /** An error the JVM cannot carry on after (OutOfMemoryError, InternalError…): the stage stops. */
        STOP_STAGE
    }

    static final RecordOutcome HANDLED = new RecordOutcome(Kind.HANDLED, -1, null, false);
    static final RecordOutcome LEAVE_UNCOMMITTED = new RecordOutcome(Kind.LEAVE_UNCOMMITTED, -1, null, false);

    static RecordOutcome forward(int targetStage, Throwable error) {
        return new RecordOutcome(Kind.FORWARD, targetStage, error, false);
    }

    static RecordOutcome poisonPill(int deadLetterStage, Throwable error) {
        return new RecordOutcome(Kind.FORWARD, deadLetterStage, error, true);
    }

    static RecordOutcome retryHook(Throwable error) {
        return new RecordOutcome(Kind.RETRY_HOOK, -1, error, false);
    }

    static RecordOutcome stopStage(Throwable error) {
        return new RecordOutcome(Kind.STOP_STAGE, -1, error, false);
    }
}
