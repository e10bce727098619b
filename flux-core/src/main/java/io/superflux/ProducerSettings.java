package io.superflux;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Options of every Flux producer ({@code flux.producer}).
 *
 * <p>{@link #toString()} never shows property values: they may hold credentials.
 *
 * @param maxBufferSize    unacknowledged messages per cluster after which {@code produce} waits
 * @param compressionCodec batch compression
 * @param requiredAcks     acknowledgements a write needs
 * @param deliveryInterval longest wait before a batch is sent ({@code linger.ms})
 * @param properties       kafka-clients producer settings, which win over the options above
 */
public record ProducerSettings(int maxBufferSize, CompressionCodec compressionCodec, Acks requiredAcks,
                               Duration deliveryInterval, Map<String, String> properties) {
    /** Copies the properties so the settings cannot change later. */
    public ProducerSettings {
        Objects.requireNonNull(compressionCodec, "compressionCodec");
        Objects.requireNonNull(requiredAcks, "requiredAcks");
        Objects.requireNonNull(deliveryInterval, "deliveryInterval");
        properties = Map.copyOf(properties);
    }

    @Override
    public String toString() {
        return "ProducerSettings[maxBufferSize=" + maxBufferSize + ", compressionCodec=" + compressionCodec.configValue()
                + ", requiredAcks=" + requiredAcks.configValue() + ", deliveryInterval=" + deliveryInterval
                + ", properties=" + properties.keySet() + " (values hidden)]";
    }
}
