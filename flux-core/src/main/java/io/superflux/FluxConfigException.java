package io.superflux;

/**
 * A setting has a value Flux cannot use, or a key Flux does not know. The message names the key,
 * the bad value, where it came from and what is allowed, e.g.
 * {@code flux.producer.compression-codec = "brotli" (application.conf: 7): allowed values are
 * none, gzip, snappy, lz4, zstd}. Thrown when configuration is loaded, never later.
 */
public final class FluxConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;

    /** A problem with the setting {@code key}, described by {@code message}. */
    public FluxConfigException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** A problem with the setting {@code key}, described by {@code message}, caused by {@code cause}. */
    public FluxConfigException(String key, String message, Throwable cause) {
        super(message, cause);
        this.key = key;
    }

    /** The full path of the setting, e.g. {@code flux.producer.required-acks}. */
    public String key() {
        return key;
    }
}
