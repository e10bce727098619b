package io.superflux;

/** How many acknowledgements a write needs ({@code flux.producer.required-acks}, kafka-clients {@code acks}). */
public enum Acks {
    /** Do not wait for the broker: fastest, messages can be lost. */
    NONE("0"),
    /** The partition leader has written it. */
    LEADER("1"),
    /** Every in-sync replica has written it (also written {@code -1}). The default. */
    ALL("all");

    private final String configValue;

    Acks(String configValue) {
        this.configValue = configValue;
    }

    /** The value in configuration and kafka-clients: {@code 0}, {@code 1} or {@code all}. */
    public String configValue() {
        return configValue;
    }
}
