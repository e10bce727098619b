package io.superflux.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Flux's JSON serde: java.time and Optional out of the box, errors that say what went wrong, the application's own mapper. */
class JsonSerdeTest {
    /** An order as an application would declare it. */
    public record Order(String id, Instant placedAt, LocalDate deliveryDay, Duration window, Optional<String> note,
                        int quantity) {
    }

    private final JsonSerializer<Order> serializer = new JsonSerializer<>();
    private final JsonDeserializer<Order> deserializer = new JsonDeserializer<>(Order.class);

    @Test
    void javaTimeAndOptionalRoundTripAsIsoText() {
        Order order = new Order("o-1", Instant.parse("2026-12-03T08:15:30.123Z"), LocalDate.parse("2026-12-24"),
                Duration.ofMinutes(90), Optional.of("ring twice"), 3);
        String json = new String(serializer.serialize("orders", order), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"placedAt\":\"2026-12-03T08:15:30.123Z\""), json);
        assertTrue(json.contains("\"deliveryDay\":\"2026-12-24\""), json);
        assertTrue(json.contains("\"window\":\"PT1H30M\""), json);
        assertTrue(json.contains("\"note\":\"ring twice\""), json);
        assertEquals(order, deserializer.deserialize("orders", json.getBytes(StandardCharsets.UTF_8)));
        Order noNote = deserializer.deserialize("orders",
                "{\"id\":\"o-2\",\"placedAt\":\"2026-12-03T08:15:30Z\",\"quantity\":1,\"extra\":true}".getBytes(StandardCharsets.UTF_8));
        assertEquals(Optional.empty(), noNote.note());
        assertEquals(Instant.parse("2026-12-03T08:15:30Z"), noNote.placedAt());
    }

    @Test
    void aValueThatIsNotJsonIsCalledSo() {
        SerializationException e = assertThrows(SerializationException.class,
                () -> deserializer.deserialize("orders", "id=o-1".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().startsWith("not JSON (6 bytes, topic orders, read as " + Order.class.getName() + "): "),
                e.getMessage());
    }

    @Test
    void jsonThatDoesNotMapSaysWhatDidNotMap() {
        SerializationException badTime = assertThrows(SerializationException.class, () -> deserializer.deserialize("orders",
                "{\"id\":\"o-1\",\"placedAt\":\"yesterday\"}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(badTime.getMessage().startsWith("JSON that does not map to " + Order.class.getName() + " (topic orders): "),
                badTime.getMessage());
        assertTrue(badTime.getMessage().contains("yesterday") && badTime.getMessage().contains("placedAt"), badTime.getMessage());
        SerializationException badNumber = assertThrows(SerializationException.class, () -> deserializer.deserialize("orders",
                "{\"id\":\"o-1\",\"quantity\":\"many\"}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(badNumber.getMessage().startsWith("JSON that does not map to ") && badNumber.getMessage().contains("quantity"),
                badNumber.getMessage());
        SerializationException tooLarge = assertThrows(SerializationException.class, () -> deserializer.deserialize("orders",
                "{\"id\":\"o-1\",\"quantity\":99999999999}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(tooLarge.getMessage().startsWith("JSON that does not map to "), tooLarge.getMessage());
    }

    @Test
    void theApplicationsOwnMapperIsTheOneUsed() {
        ObjectMapper strict = new ObjectMapper().findAndRegisterModules()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        JsonDeserializer<Order> own = new JsonDeserializer<>(Order.class, strict);
        byte[] unknownField = "{\"id\":\"o-1\",\"quantity\":1,\"extra\":true}".getBytes(StandardCharsets.UTF_8);
        assertEquals("o-1", deserializer.deserialize("orders", unknownField).id()); // Flux's mapper ignores it
        SerializationException e = assertThrows(SerializationException.class, () -> own.deserialize("orders", unknownField));
        assertTrue(e.getMessage().contains("extra"), e.getMessage());
        ObjectMapper timestamps = new ObjectMapper().findAndRegisterModules();
        String json = new String(new JsonSerializer<Order>(timestamps).serialize("orders", new Order("o-1",
                Instant.ofEpochSecond(1), null, null, Optional.empty(), 1)), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"placedAt\":1.0"), json); // that mapper's own default: timestamps as numbers
    }
}
