package io.superflux;

import java.util.Locale;

/** How producers compress batches ({@code flux.producer.compression-codec}, kafka-clients {@code compression.type}). */
public enum CompressionCodec {
    /** No compression. */
    NONE,
    /** gzip: small, slow. */
    GZIP,
    /** Snappy: fast, moderate ratio. */
    SNAPPY,
    /** LZ4: very fast, moderate ratio. */
    LZ4,
    /** Zstandard: fast, best ratio. */
    ZSTD;

    /** The value in configuration and kafka-clients: {@code none}, {@code gzip}, … */
    public String configValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
