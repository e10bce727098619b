package io.superflux.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

/**
 * Collects every event logged under {@code io.superflux} (or another logger) while it is open, so
 * a test can assert on what a user's log would show. Use with try-with-resources.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final Logger logger;
    private final Level previousLevel;

    private LogCapture(String loggerName, Level level) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
        this.previousLevel = logger.getLevel();
        if (level != null) {
            logger.setLevel(level);
        }
        setContext(logger.getLoggerContext());
        start();
        logger.addAppender(this);
    }

    /** Captures Flux's own log ({@code io.superflux}) at the levels configured. */
    public static LogCapture flux() {
        return new LogCapture("io.superflux", null);
    }

    /** Captures everything logged below {@code loggerName} at {@code level} and above. */
    public static LogCapture of(String loggerName, Level level) {
        return new LogCapture(loggerName, level);
    }

    @Override
    protected void append(ILoggingEvent event) {
        event.prepareForDeferredProcessing();
        events.add(event);
    }

    /** Every event so far. */
    public List<ILoggingEvent> events() {
        return List.copyOf(events);
    }

    /** The formatted messages (with the throwable's text, if any) of events at {@code level}. */
    public List<String> messages(Level level) {
        return events.stream().filter(e -> e.getLevel() == level).map(LogCapture::text).toList();
    }

    /** Whether an event at {@code level} has a message matching {@code test}. */
    public boolean any(Level level, Predicate<String> test) {
        return messages(level).stream().anyMatch(test);
    }

    /** Every message and throwable as one text, for assertion messages. */
    public String dump() {
        StringBuilder text = new StringBuilder();
        events.forEach(e -> text.append(e.getLevel()).append(' ').append(text(e)).append('\n'));
        return text.toString();
    }

    private static String text(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        if (event.getThrowableProxy() != null) {
            message += " | " + event.getThrowableProxy().getClassName() + ": " + event.getThrowableProxy().getMessage();
        }
        return message;
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        logger.setLevel(previousLevel);
        stop();
    }
}
