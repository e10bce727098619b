package io.superflux;

/**
 * What a stage promises about the records it forwards to retry and dead-letter topics
 * ({@code flux.delivery}). Calls are at-least-once either way: after a crash, a record whose
 * offset was not committed is called again.
 */
public enum DeliveryGuarantee {
    /**
     * A forward is acknowledged before the record's offset is committed: nothing is lost, and after
     * a crash a record may be forwarded a second time (the default; the fastest).
     */
    AT_LEAST_ONCE("at-least-once"),
    /**
     * A stage forwards and commits its offsets in one Kafka transaction per commit interval, and
     * retry and dead-letter stages read {@code read_committed}: after a crash no record appears
     * twice in a retry or dead-letter topic. Needs {@code concurrency(1)}.
     */
    EXACTLY_ONCE("exactly-once");

    private final String configValue;

    DeliveryGuarantee(String configValue) {
        this.configValue = configValue;
    }

    /** The value in {@code flux.delivery}. */
    public String configValue() {
        return configValue;
    }
}
