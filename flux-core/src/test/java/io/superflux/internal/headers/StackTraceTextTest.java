package io.superflux.internal.headers;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StackTraceTextTest {

    private static Throwable thrownThrough(StackTraceElement... frames) {
        IllegalStateException error = new IllegalStateException("boom", new IllegalArgumentException("root cause"));
        error.setStackTrace(frames);
        return error;
    }

    private static StackTraceElement frame(String className, String method) {
        return new StackTraceElement(className, method, className.substring(className.lastIndexOf('.') + 1) + ".java", 42);
    }

    @Test
    void keepsTheApplicationFramesAndDropsTheEngineBelowThem() {
        String text = StackTraceText.of(thrownThrough(
                frame("com.acme.Billing", "charge"),
                frame("com.acme.AwesomeTask", "call"),
                frame("io.superflux.internal.stage.StageReactor", "handle"),
                frame("io.superflux.internal.stage.StageReactor", "run"),
                frame("java.lang.Thread", "run")), 8_192);
        assertTrue(text.startsWith("java.lang.IllegalStateException: boom\n"), text);
        assertTrue(text.contains("\tat com.acme.Billing.charge(Billing.java:42)\n\tat com.acme.AwesomeTask.call(AwesomeTask.java:42)\n"), text);
        assertFalse(text.contains("StageReactor"), text);
        assertFalse(text.contains("java.lang.Thread.run"), text);
        assertTrue(text.contains("Caused by: java.lang.IllegalArgumentException: root cause"), text);
    }

    @Test
    void anErrorRaisedInsideTheEngineKeepsItsFrames() {
        String text = StackTraceText.of(thrownThrough(
                frame("io.superflux.internal.stage.StageReactor", "poisonPill"),
                frame("io.superflux.internal.stage.StageReactor", "handle"),
                frame("java.lang.Thread", "run")), 8_192);
        assertTrue(text.contains("StageReactor.poisonPill") && text.contains("StageReactor.handle")
                && text.contains("java.lang.Thread.run"), text);
    }

    @Test
    void aRealStackTraceStaysWithinItsLimit() {
        Throwable deep = new RuntimeException("deep");
        assertTrue(StackTraceText.of(deep, 200).length() < 400);
    }
}
