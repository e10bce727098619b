package io.superflux.serde;

import java.util.Objects;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Writes values as JSON (UTF-8) with Jackson: Flux's mapper (java.time as ISO-8601 text,
 * Optional) or the application's own. Null stays null (a tombstone). Thread-safe.
 *
 * @param <T> the value type
 */
public final class JsonSerializer<T> implements Serializer<T> {
    private final ObjectMapper mapper;

    /** A serializer with Flux's mapper. */
    public JsonSerializer() {
        this(JsonMapper.MAPPER);
    }

    /** A serializer with {@code mapper} (which must be thread-safe: configured once, shared). */
    public JsonSerializer(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        try {
            return mapper.writeValueAsBytes(data);
        } catch (JsonProcessingException e) {
            throw new SerializationException("cannot write " + data.getClass().getName() + " as JSON for topic " + topic
                    + ": " + e.getOriginalMessage(), e);
        }
    }
}
