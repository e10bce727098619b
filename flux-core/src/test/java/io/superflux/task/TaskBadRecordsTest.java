package io.superflux.task;

import static java.nio.charset.StandardCharsets.UTF_8;
import static io.superflux.task.TaskTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.superflux.SuperFlux;
import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

/**
 * Records other tools write: no key, an empty value, a tombstone, header values that are not
 * UTF-8, 200 KiB of headers. Each fails once in stage 0, so each crosses a retry topic, and each
 * reaches stage 1 byte for byte as it was produced.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class TaskBadRecordsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @AfterEach
    void shutdown() {
        SuperFlux.shutdown();
    }

    @Test
    void oddRecordsCrossARetryTopicByteForByte(EmbeddedKafka kafka) throws Exception {
        TaskTestSupport.configure(kafka);
        String topic = kafka.createUniqueTopic("odd-records", 1);
        ScriptedTask task = ScriptedTask.failingInStageZero(TaskSpec.topic(topic).group("g").retries(1), "fails once");
        byte[] notUtf8 = {(byte) 0xff, (byte) 0xfe, 0, (byte) 0xc3, 0x28};
        byte[] tenKiB = new byte[10 * 1024];
        Arrays.fill(tenKiB, (byte) 'h');
        List<ProducerRecord<byte[], byte[]>> records = List.of(
                new ProducerRecord<>(topic, null, "no key".getBytes(UTF_8)),
                new ProducerRecord<>(topic, "empty".getBytes(UTF_8), new byte[0]),
                new ProducerRecord<>(topic, "tombstone".getBytes(UTF_8), null),
                new ProducerRecord<>(topic, "binary header".getBytes(UTF_8), "v".getBytes(UTF_8)),
                new ProducerRecord<>(topic, "big headers".getBytes(UTF_8), "v".getBytes(UTF_8)));
        records.get(3).headers().add("trace", notUtf8).add("", notUtf8).add("nothing", null);
        for (int i = 0; i < 20; i++) {
            records.get(4).headers().add("h" + i, tenKiB);
        }
        Map<String, Object> props = new HashMap<>(Map.of("bootstrap.servers", kafka.bootstrapServers()));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> record : records) {
                producer.send(record).get(30, TimeUnit.SECONDS);
            }
        }
        SuperFlux.start(task);

        await(WAIT, () -> task.handled.size() == records.size(), () -> "handled " + task.handled + ", dead " + task.deadLetters);
        List<Message<String>> handled = List.copyOf(task.handled);
        for (int i = 0; i < records.size(); i++) {
            Message<String> message = handled.get(i);
            ProducerRecord<byte[], byte[]> sent = records.get(i);
            assertEquals(1, message.stage(), "handled after one retry: " + message);
            assertArrayEquals(sent.key(), message.rawKey(), "key of record " + i);
            assertArrayEquals(sent.value(), message.rawValue(), "value of record " + i);
            List<Header> headers = message.headers();
            assertEquals(Arrays.asList(sent.headers().toArray()).size(), headers.size(), "headers of record " + i);
            for (int h = 0; h < headers.size(); h++) {
                assertEquals(sent.headers().toArray()[h].key(), headers.get(h).key());
                assertArrayEquals(sent.headers().toArray()[h].value(), headers.get(h).value());
            }
        }
        assertNull(handled.get(0).key(), "no key stays no key");
        assertEquals("", handled.get(1).value());
        assertNull(handled.get(2).value(), "a tombstone stays a tombstone");
        assertEquals(0, task.deadLetters.size());
    }
}
