package io.superflux.serde;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * Writes values as JSON (UTF-8) with Jackson; null stays null (a tombstone). Thread-safe.
 *
 * @param <T> the value type
 */
public final class JsonSerializer<T> implements Serializer<T> {
    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        try {
            return JsonMapper.MAPPER.writeValueAsBytes(data);
        } catch (JsonProcessingException e) {
            throw new SerializationException("cannot write " + data.getClass().getName() + " as JSON for topic " + topic
                    + ": " + e.getOriginalMessage(), e);
        }
    }
}
