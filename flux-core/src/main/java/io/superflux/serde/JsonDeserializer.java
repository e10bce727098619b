package io.superflux.serde;

import java.io.IOException;
import java.util.Objects;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;

/**
 * Reads JSON values into {@code T} with Jackson: Flux's mapper (java.time, Optional, unknown
 * properties ignored) or the application's own. A value that cannot be read throws
 * {@link SerializationException} (for Flux: a bad record, sent to the dead letters) whose message
 * says which it was: not JSON at all, or JSON that does not map to {@code T} (and what did not
 * map). A null value (a tombstone) is null. Thread-safe.
 *
 * @param <T> the value type
 */
public final class JsonDeserializer<T> implements Deserializer<T> {
    private final Class<T> type;
    private final ObjectMapper mapper;

    /** A deserializer of {@code type} with Flux's mapper. */
    public JsonDeserializer(Class<T> type) {
        this(type, JsonMapper.MAPPER);
    }

    /** A deserializer of {@code type} with {@code mapper} (which must be thread-safe: configured once, shared). */
    public JsonDeserializer(Class<T> type, ObjectMapper mapper) {
        this.type = Objects.requireNonNull(type, "type");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return mapper.readValue(data, type);
        } catch (InputCoercionException e) { // JSON, but a number out of the field's range
            throw doesNotMap(topic, e);
        } catch (StreamReadException e) {
            throw new SerializationException("not JSON (" + data.length + " bytes, topic " + topic + ", read as "
                    + type.getName() + "): " + e.getOriginalMessage(), e);
        } catch (InvalidDefinitionException e) {
            throw new SerializationException(type.getName() + " cannot be read from JSON (topic " + topic + "): "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw doesNotMap(topic, e);
        }
    }

    private SerializationException doesNotMap(String topic, IOException e) {
        String why = e instanceof JsonProcessingException mapping ? mapping.getOriginalMessage() : e.getMessage();
        return new SerializationException("JSON that does not map to " + type.getName() + " (topic " + topic + "): "
                + why + where(e), e);
    }

    private static String where(IOException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            return " (at " + mapping.getPathReference() + ")";
        }
        return "";
    }
}
