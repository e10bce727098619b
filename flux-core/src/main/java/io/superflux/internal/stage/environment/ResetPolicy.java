package io.superflux.internal.stage.environment;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

import org.apache.kafka.clients.consumer.ConsumerConfig;

import io.superflux.FluxConfigException;

/**
 * Where the main stage starts reading a partition its group has no committed offset for: the
 * application's {@code auto.offset.reset} (earliest by default, latest, by_duration:…, or none,
 * which stops the stage). Retry and dead-letter stages always start at the earliest record.
 *
 * @param kind     the policy
 * @param duration for {@code BY_DURATION}: how far back from now to start
 */
public record ResetPolicy(Kind kind, Duration duration) {
    /** The four policies of kafka-clients' {@code auto.offset.reset}. */
    public enum Kind { EARLIEST, LATEST, BY_DURATION, NONE }

    /** Start at the earliest record. */
    public static final ResetPolicy EARLIEST = new ResetPolicy(Kind.EARLIEST, null);

    private static final String SETTING = "flux.consumer.properties.\"" + ConsumerConfig.AUTO_OFFSET_RESET_CONFIG + "\"";

    /**
     * Kafka's {@code auto.offset.reset} values: earliest, latest, none, by_duration:ISO-8601; null
     * is earliest.
     *
     * @throws FluxConfigException naming the setting and the allowed values
     */
    public static ResetPolicy parse(String text) {
        String value = text == null ? "earliest" : text.trim().toLowerCase(Locale.ROOT);
        switch (value) {
            case "earliest":
                return EARLIEST;
            case "latest":
                return new ResetPolicy(Kind.LATEST, null);
            case "none":
                return new ResetPolicy(Kind.NONE, null);
            default:
                if (value.startsWith("by_duration:")) {
                    try {
                        Duration duration = Duration.parse(text.trim().substring("by_duration:".length()));
                        if (!duration.isNegative()) {
                            return new ResetPolicy(Kind.BY_DURATION, duration);
                        }
                    } catch (DateTimeParseException e) {
                        // reported below
                    }
                }
                throw new FluxConfigException(SETTING, "Invalid setting " + SETTING + " = \"" + text
                        + "\": expected earliest, latest, none or by_duration:<ISO-8601 duration, e.g. PT1H>");
        }
    }

    /** The setting's name, for messages. */
    public static String setting() {
        return SETTING;
    }
}
