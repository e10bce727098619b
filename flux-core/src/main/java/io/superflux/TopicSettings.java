package io.superflux;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * How Flux provisions a task's retry and dead-letter topics ({@code flux.topics}).
 *
 * <p>{@link #toString()} never shows property values.
 *
 * @param autoCreate            create missing stage topics at start ({@code auto-create})
 * @param replicationFactor     replicas per stage topic; empty for the broker's default
 * @param minInsyncReplicas     {@code min.insync.replicas} of stage topics; empty for the broker's default
 * @param retentionSafetyFactor a retry topic keeps records at least its longest wait times this
 * @param minRetention          and never less than this
 * @param deadLetterRetention   {@code retention.ms} of the dead-letter topic
 * @param allowShortRetention   an unsafe retention on an existing stage topic is a WARN, not an error
 * @param properties            topic-level settings for the stage topics Flux creates
 */
public record TopicSettings(boolean autoCreate, OptionalInt replicationFactor, OptionalInt minInsyncReplicas,
                            double retentionSafetyFactor, Duration minRetention, Duration deadLetterRetention,
                            boolean allowShortRetention, Map<String, String> properties) {
    /** Copies the map so the settings cannot change later. */
    public TopicSettings {
        Objects.requireNonNull(replicationFactor, "replicationFactor");
        Objects.requireNonNull(minInsyncReplicas, "minInsyncReplicas");
        Objects.requireNonNull(minRetention, "minRetention");
        Objects.requireNonNull(deadLetterRetention, "deadLetterRetention");
        properties = Map.copyOf(properties);
    }

    @Override
    public String toString() {
        return "TopicSettings[autoCreate=" + autoCreate + ", replicationFactor=" + replicationFactor
                + ", minInsyncReplicas=" + minInsyncReplicas + ", retentionSafetyFactor=" + retentionSafetyFactor
                + ", minRetention=" + minRetention + ", deadLetterRetention=" + deadLetterRetention
                + ", allowShortRetention=" + allowShortRetention + ", properties=" + properties.keySet() + "]";
    }
}
