package io.superflux.serde;

import java.io.IOException;
import java.util.Objects;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * Reads JSON values into {@code T} with Jackson. Properties {@code T} does not declare are ignored;
 * a value that is not JSON of {@code T}'s shape throws {@link SerializationException} (for Flux: a
 * bad record, sent to the dead letters). A null value (a tombstone) is null. Thread-safe.
 *
 * @param <T> the value type
 */
public final class JsonDeserializer<T> implements Deserializer<T> {
    private final Class<T> type;

    /** A deserializer of {@code type}. */
    public JsonDeserializer(Class<T> type) {
        this.type = Objects.requireNonNull(type, "type");
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return JsonMapper.MAPPER.readValue(data, type);
        } catch (IOException e) {
            String why = e instanceof JsonProcessingException parse ? parse.getOriginalMessage() : e.getMessage();
            throw new SerializationException("not JSON of " + type.getName() + " (" + data.length + " bytes, topic " + topic
                    + "): " + why, e);
        }
    }
}
