package io.superflux.internal.stage.record;

import java.io.IOException;
import java.lang.reflect.Method;

import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import io.superflux.internal.headers.SafeText;

/**
 * Tells a bad value from a failed dependency when a deserializer throws. A
 * {@link SerializationException} is a bad value — the record goes to the dead letters — unless
 * one of its causes says that a dependency failed, as when a Schema Registry client wraps one:
 * a network or TLS failure ({@code java.net}, {@code javax.net} — a refused connection, a
 * timeout, a handshake — or {@code java.nio.channels}), a Kafka {@link RetriableException}, or an
 * HTTP answer of 500 or more (a cause with an {@code int getStatus()}, as Confluent's
 * {@code RestClientException} has, while the registry restarts). Other I/O exceptions are not
 * network failures: Jackson's parse errors are IOExceptions. Anything else a deserializer throws
 * is a failed dependency: the record is read again later.
 */
public final class BadValues {
    private static final int MAX_CAUSES = 10;

    private BadValues() {
    }

    public static boolean isBadValue(Throwable error) {
        if (!(error instanceof SerializationException)) {
            return false;
        }
        Throwable cause = SafeText.cause(error);
        for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++) {
            if (isFailedDependency(cause)) {
                return false;
            }
            cause = SafeText.cause(cause);
        }
        return true;
    }

    private static boolean isFailedDependency(Throwable error) {
        return isNetworkFailure(error) || error instanceof RetriableException || serverError(error);
    }

    private static boolean isNetworkFailure(Throwable error) {
        for (Class<?> type = error.getClass(); type != null && type != IOException.class; type = type.getSuperclass()) {
            String name = type.getName();
            if (name.startsWith("java.net.") || name.startsWith("javax.net.") || name.startsWith("java.nio.channels.")) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code error} carries an HTTP status of 500 or more. */
    private static boolean serverError(Throwable error) {
        try {
            Method status = error.getClass().getMethod("getStatus");
            if (status.getReturnType() == int.class) {
                return (int) status.invoke(error) >= 500;
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // no status: not an HTTP answer
        }
        return false;
    }
}
