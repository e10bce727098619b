package io.superflux.task;

import java.time.Instant;

/**
 * One failure of a record, as recorded in its Flux headers.
 *
 * @param stage          the stage whose call failed
 * @param failedAt       when
 * @param exceptionClass the exception's class name
 * @param message        the exception's message, shortened; may be empty
 */
public record Failure(int stage, Instant failedAt, String exceptionClass, String message) {
}
