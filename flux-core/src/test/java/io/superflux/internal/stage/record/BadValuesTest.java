package io.superflux.internal.stage.record;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.charset.CharacterCodingException;

import javax.net.ssl.SSLHandshakeException;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** A deserializer's exception: a bad value (dead letters) or a failed dependency (read again later). */
class BadValuesTest {
    /** Shaped like Confluent's RestClientException: an HTTP status and a registry error code. */
    static final class RegistryAnswer extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;

        RegistryAnswer(int status) {
            super("HTTP " + status);
            this.status = status;
        }

        public int getStatus() {
            return status;
        }
    }

    @Test
    void aSerializationExceptionOnItsOwnIsABadValue() {
        assertTrue(BadValues.isBadValue(new SerializationException("not JSON")));
        assertTrue(BadValues.isBadValue(new SerializationException("not JSON", new IllegalArgumentException("char 3"))));
    }

    @Test
    void networkAndTlsFailuresAreNotBadValues() {
        assertFalse(BadValues.isBadValue(new SerializationException("registry", new ConnectException("refused"))));
        assertFalse(BadValues.isBadValue(new SerializationException("registry",
                new SSLHandshakeException("Remote host terminated the handshake"))));
        assertFalse(BadValues.isBadValue(new SerializationException("registry", new UnknownHostException("registry"))));
    }

    @Test
    void anIoExceptionThatIsNotTheNetworksIsABadValue() {
        // Jackson's parse errors are IOExceptions: a value that is not JSON is bad, not a dependency's failure
        assertTrue(BadValues.isBadValue(new SerializationException("not JSON", new CharacterCodingException())));
        assertTrue(BadValues.isBadValue(new SerializationException("truncated", new IOException("unexpected end"))));
    }

    @Test
    void aRegistryThatAnswersWithA5xxIsNotABadValue() {
        assertFalse(BadValues.isBadValue(new SerializationException("Error retrieving schema", new RegistryAnswer(503))));
        assertTrue(BadValues.isBadValue(new SerializationException("Schema not found", new RegistryAnswer(404))));
    }

    @Test
    void anythingButASerializationExceptionIsAFailedDependency() {
        assertFalse(BadValues.isBadValue(new IllegalStateException("registry down")));
    }
}
