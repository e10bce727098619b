package io.superflux.internal.headers;

/**
 * A failure's stack trace as text for the {@code flux-exception-stacktrace} header: the frames of
 * the application, without the Flux engine and thread frames below them (the same on every
 * record, and of no use to whoever reads a dead letter), and with causes. Built directly into one
 * builder, which costs a fraction of {@code printStackTrace} on every failed record. It reads the
 * exception only through {@link SafeText}: building it never throws.
 */
public final class StackTraceText {
    private static final String ENGINE = "io.superflux.internal.";
    private static final int MAX_FRAMES = 40;
    private static final int MAX_CAUSES = 5;

    private StackTraceText() {
    }

    public static String of(Throwable error, int maxChars) {
        StringBuilder text = new StringBuilder(Math.min(maxChars, 2_048));
        Throwable current = error;
        for (int depth = 0; current != null && depth <= MAX_CAUSES && text.length() < maxChars; depth++) {
            if (depth > 0) {
                text.append("Caused by: ");
            }
            text.append(SafeText.describe(current)).append('\n');
            appendFrames(SafeText.frames(current), text, maxChars);
            current = SafeText.cause(current);
        }
        return text.toString();
    }

    private static void appendFrames(StackTraceElement[] frames, StringBuilder text, int maxChars) {
        boolean inApplication = false;
        int shown = 0;
        for (StackTraceElement frame : frames) {
            boolean engine = frame.getClassName().startsWith(ENGINE);
            if (inApplication && engine) {
                break; // the engine's frames below the application's code
            }
            inApplication |= !engine;
            if (shown == MAX_FRAMES || text.length() >= maxChars) {
                text.append("\t...\n");
                return;
            }
            text.append("\tat ").append(frame.getClassName()).append('.').append(frame.getMethodName()).append('(');
            if (frame.isNativeMethod()) {
                text.append("Native Method");
            } else if (frame.getFileName() == null) {
                text.append("Unknown Source");
            } else {
                text.append(frame.getFileName());
                if (frame.getLineNumber() >= 0) {
                    text.append(':').append(frame.getLineNumber());
                }
            }
            text.append(")\n");
            shown++;
        }
    }
}
