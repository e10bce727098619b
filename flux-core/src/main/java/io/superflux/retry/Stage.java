package io.superflux.retry;

/**
 * One stage of a task: what it reads and as which consumer group.
 *
 * @param number 0 for the main stage, 1..N for retries, N+1 for the dead letters
 * @param topic  the topic the stage consumes
 * @param group  the consumer group of the stage
 * @param kind   main, retry or dead letter
 */
public record Stage(int number, String topic, String group, Kind kind) {
    /** What a stage does. */
    public enum Kind {
        /** Stage 0: the input topic, never throttled. */
        MAIN,
        /** Stages 1..N: a record is handled no earlier than its due time. */
        RETRY,
        /** Stage N+1: the dead-letter hook. */
        DEAD_LETTER
    }

    @Override
    public String toString() {
        return "stage " + number + " (" + kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                + ", topic " + topic + ", group " + group + ")";
    }
}
