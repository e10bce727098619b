package io.superflux.serde;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The Jackson mapper Flux's JSON serde share unless given one of the application's: thread-safe
 * once configured.
 */
final class JsonMapper {
    /**
     * java.time types (dates, times and durations as ISO-8601 text) and Optional work; unknown properties are ignored (a
     * producer may add fields before its consumers know them). Modules are registered by name,
     * not found on the class path: an application's own Jackson modules, built for another
     * Jackson, must not break Flux's.
     */
    static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .registerModule(new Jdk8Module())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS, false)
            .configure(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS, false);

    private JsonMapper() {
    }
}
