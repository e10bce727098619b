package io.superflux.internal.headers;

/**
 * Text about a Throwable that never throws itself. A task's exception is application code:
 * {@code getMessage()}, {@code toString()}, {@code getCause()} and even {@code getStackTrace()}
 * can be overridden and can fail, and a failure while describing a failure must not stop a stage.
 */
public final class SafeText {
    private SafeText() {
    }

    /** The exception's message, null if it has none, or a note saying why it could not be read. */
    public static String message(Throwable error) {
        try {
            return error.getMessage();
        } catch (Throwable unreadable) {
            return "(getMessage() threw " + unreadable.getClass().getName() + ")";
        }
    }

    /** {@code class: message}, as {@code Throwable.toString()} would say it. */
    public static String describe(Throwable error) {
        String message = message(error);
        String name = error.getClass().getName();
        return message == null ? name : name + ": " + message;
    }

    /** The stack frames, or none if they cannot be read. */
    public static StackTraceElement[] frames(Throwable error) {
        try {
            StackTraceElement[] frames = error.getStackTrace();
            return frames == null ? new StackTraceElement[0] : frames;
        } catch (Throwable unreadable) {
            return new StackTraceElement[0];
        }
    }

    /** The cause, or null if there is none or it cannot be read. */
    public static Throwable cause(Throwable error) {
        try {
            Throwable cause = error.getCause();
            return cause == error ? null : cause;
        } catch (Throwable unreadable) {
            return null;
        }
    }
}
