package io.superflux.internal.headers;

/**
 * A call of a record that failed and was tried again in place: a line of the record's failure
 * history ({@code flux-failures}) when it is forwarded.
 *
 * @param failedAt when it failed, epoch ms
 * @param error    what it threw
 */
public record FailedCall(long failedAt, Throwable error) {
}
