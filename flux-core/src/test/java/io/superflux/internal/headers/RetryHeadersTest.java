package io.superflux.internal.headers;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import io.superflux.task.Failure;
import io.superflux.task.Origin;

class RetryHeadersTest {

    private static ConsumerRecord<byte[], byte[]> record(String topic, int partition, long offset, RecordHeaders headers) {
        return new ConsumerRecord<>(topic, partition, offset, 1_000L + offset, TimestampType.CREATE_TIME, 1, 1,
                "k".getBytes(UTF_8), "v".getBytes(UTF_8), headers, Optional.empty());
    }

    @Test
    void firstForwardRecordsTheOriginAndKeepsApplicationHeadersInOrder() {
        RecordHeaders app = new RecordHeaders();
        app.add("trace", "t1".getBytes(UTF_8));
        app.add("tenant", "acme".getBytes(UTF_8));
        ConsumerRecord<byte[], byte[]> source = record("awesome", 3, 42, app);

        RecordHeaders forwarded = RetryHeaders.forward(source, 0, 1, 5_000, 50_000, new IllegalStateException("boom"));

        List<String> appKeys = new ArrayList<>();
        for (Header h : forwarded) {
            if (!RetryHeaders.isFluxHeader(h.key())) {
                appKeys.add(h.key());
            }
        }
        assertEquals(List.of("trace", "tenant"), appKeys);
        assertEquals(50_000, RetryHeaders.dueAt(forwarded));
        assertEquals("1", RetryHeaders.text(forwarded, RetryHeaders.STAGE).orElseThrow());
        assertEquals("0", RetryHeaders.text(forwarded, RetryHeaders.FAILED_STAGE).orElseThrow());
        assertEquals("java.lang.IllegalStateException", RetryHeaders.text(forwarded, RetryHeaders.EXCEPTION_CLASS).orElseThrow());
        assertEquals("boom", RetryHeaders.text(forwarded, RetryHeaders.EXCEPTION_MESSAGE).orElseThrow());
        assertTrue(RetryHeaders.text(forwarded, RetryHeaders.STACK_TRACE).orElseThrow().contains("RetryHeadersTest"));
        assertEquals(new Origin("awesome", 3, 42, 1_042), RetryHeaders.origin(record("t-g-try-1", 3, 7, forwarded)));
        assertEquals(List.of(new Failure(0, Instant.ofEpochMilli(5_000), "java.lang.IllegalStateException", "boom")),
                RetryHeaders.failures(forwarded));
    }

    @Test
    void laterForwardsReplaceFluxHeadersKeepTheOriginAndExtendTheHistory() {
        RecordHeaders first = RetryHeaders.forward(record("awesome", 3, 42, new RecordHeaders()), 0, 1, 5_000, 6_000,
                new IllegalStateException("one"));
        RecordHeaders second = RetryHeaders.forward(record("awesome-g-try-1", 3, 9, first), 1, 2, 7_000, 9_000,
                new IllegalArgumentException("two"));

        for (String key : List.of(RetryHeaders.STAGE, RetryHeaders.DUE_AT, RetryHeaders.FAILED_AT, RetryHeaders.EXCEPTION_CLASS,
                RetryHeaders.ORIGINAL_TOPIC, RetryHeaders.FAILURES)) {
            int count = 0;
            for (Header h : second.headers(key)) {
                count++;
            }
            assertEquals(1, count, "one " + key + " header, replaced not accumulated");
        }
        assertEquals(9_000, RetryHeaders.dueAt(second));
        assertEquals(new Origin("awesome", 3, 42, 1_042), RetryHeaders.origin(record("awesome-g-try-2", 3, 1, second)));
        assertEquals(List.of(new Failure(0, Instant.ofEpochMilli(5_000), "java.lang.IllegalStateException", "one"),
                new Failure(1, Instant.ofEpochMilli(7_000), "java.lang.IllegalArgumentException", "two")),
                RetryHeaders.failures(second));
    }

    @Test
    void longMessagesAndStackTracesAreShortenedToTheirLimits() {
        Exception huge = new RuntimeException("ü".repeat(5_000));
        RecordHeaders headers = RetryHeaders.forward(record("t", 0, 0, new RecordHeaders()), 0, 1, 1, 2, huge);
        byte[] message = headers.lastHeader(RetryHeaders.EXCEPTION_MESSAGE).value();
        assertTrue(message.length <= 1024 && message.length > 1000, "message bytes " + message.length);
        assertTrue(new String(message, UTF_8).endsWith("…"));
        assertTrue(headers.lastHeader(RetryHeaders.STACK_TRACE).value().length <= 8 * 1024);
        assertTrue(RetryHeaders.failures(headers).get(0).message().length() <= 100);
    }

    @Test
    void recordsWithoutFluxHeadersHaveNoDueTimeAndAreTheirOwnOrigin() {
        ConsumerRecord<byte[], byte[]> plain = record("awesome", 1, 5, new RecordHeaders());
        assertEquals(RetryHeaders.NO_DUE_TIME, RetryHeaders.dueAt(plain.headers()));
        assertEquals(new Origin("awesome", 1, 5, 1_005), RetryHeaders.origin(plain));
        assertEquals(List.of(), RetryHeaders.failures(plain.headers()));
        RecordHeaders stripped = RetryHeaders.withoutFluxHeaders(
                RetryHeaders.forward(plain, 0, 1, 1, 2, new RuntimeException("x")));
        assertArrayEquals(new Header[0], stripped.toArray());
    }

    @Test
    void anApplicationHeaderWhoseNameStartsWithFluxIsTheApplicationsAndTravelsUnchanged() {
        RecordHeaders app = new RecordHeaders();
        app.add("flux-trace-id", "t-9".getBytes(UTF_8));
        app.add("trace", "t1".getBytes(UTF_8));
        RecordHeaders first = RetryHeaders.forward(record("awesome", 0, 1, app), 0, 1, 5_000, 6_000, new RuntimeException("one"));
        RecordHeaders second = RetryHeaders.forward(record("awesome-g-try-1", 0, 1, first), 1, 2, 7_000, 9_000,
                new RuntimeException("two"));

        assertTrue(RetryHeaders.isFluxHeader(RetryHeaders.DUE_AT));
        assertTrue(!RetryHeaders.isFluxHeader("flux-trace-id"), "only the headers Flux defines are Flux's");
        List<String> values = new ArrayList<>();
        second.headers("flux-trace-id").forEach(h -> values.add(new String(h.value(), UTF_8)));
        assertEquals(List.of("t-9"), values, "kept once, unchanged, through two forwards");
        assertEquals(List.of("flux-trace-id", "trace"), appHeaderKeys(RetryHeaders.withoutFluxHeaders(second)));
    }

    @Test
    void aDueTimeThatIsNotAPlainDecimalNumberIsNoDueTimeNeverAnEarlyOne() {
        for (String malformed : List.of("+1700000000000", "1700000000000\n", " 1700000000000", "-", "--5",
                "99999999999999999999", "1e12", "", "12:00", "１２３")) {
            RecordHeaders headers = new RecordHeaders();
            headers.add(RetryHeaders.DUE_AT, malformed.getBytes(UTF_8));
            assertEquals(RetryHeaders.NO_DUE_TIME, RetryHeaders.dueAt(headers), "'" + malformed + "' is not a due time");
        }
        for (long valid : List.of(0L, 1_700_000_000_000L, Long.MAX_VALUE)) {
            RecordHeaders headers = new RecordHeaders();
            headers.add(RetryHeaders.DUE_AT, Long.toString(valid).getBytes(UTF_8));
            assertEquals(valid, RetryHeaders.dueAt(headers));
        }
    }

    private static List<String> appHeaderKeys(RecordHeaders headers) {
        List<String> keys = new ArrayList<>();
        headers.forEach(h -> keys.add(h.key()));
        return keys;
    }
}
