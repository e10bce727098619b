package io.superflux.internal.task;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Tells a bad value from a failed dependency when a deserializer throws. A
 * {@link SerializationException} is a bad value — the record goes to the dead letters — unless a
 * network failure ({@code java.net…}: a Schema Registry that cannot be reached, a timeout) is among
 * its causes, as when Confluent's deserializers wrap one. Anything else (a RuntimeException, a
 * checked exception thrown sneakily) is a failed dependency: the record is read again later.
 */
final class BadValues {
    private static final int MAX_CAUSES = 10;

    private BadValues() {
    }

    static boolean isBadValue(Throwable error) {
        if (!(error instanceof SerializationException)) {
            return false;
        }
        Throwable cause = SafeText.cause(error);
        for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++) {
            if (isNetworkFailure(cause)) {
                return false;
            }
            cause = SafeText.cause(cause);
        }
        return true;
    }

    private static boolean isNetworkFailure(Throwable error) {
        for (Class<?> type = error.getClass(); type != null; type = type.getSuperclass()) {
            if (type.getName().startsWith("java.net.")) {
                return true;
            }
        }
        return false;
    }
}
