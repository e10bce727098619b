package io.superflux.internal.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Back-pressure holds for an application thread whose first send failed at once: kafka-clients
 * calls back on the caller's thread then, and that thread is not Kafka's I/O thread.
 */
class ClusterProducerIoThreadTest {
    /** A MockProducer whose next send fails the way KafkaProducer fails a record too large: a callback on the caller's thread. */
    static final class FailingAtOnce extends MockProducer<byte[], byte[]> {
        volatile boolean failNext;

        FailingAtOnce() {
            super(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            if (failNext) {
                failNext = false;
                RecordTooLargeException error = new RecordTooLargeException("the message is too large");
                callback.onCompletion(null, error);
                return CompletableFuture.failedFuture(error);
            }
            return super.send(record, callback);
        }
    }

    @Test
    void anApplicationThreadWhoseSendFailedAtOnceStillWaitsForABufferSlot() throws Exception {
        FailingAtOnce kafka = new FailingAtOnce();
        ClusterProducer producer = ClusterProducer.over("default", kafka, 1, new SimpleMeterRegistry());
        TopicSender sender = producer.sender("orders");
        AtomicBoolean thirdAccepted = new AtomicBoolean();
        Thread application = new Thread(() -> {
            kafka.failNext = true;
            sender.send(new ProducerRecord<>("orders", "a".getBytes())); // fails at once, on this thread
            sender.send(new ProducerRecord<>("orders", "b".getBytes())); // takes the one slot
            sender.send(new ProducerRecord<>("orders", "c".getBytes())); // must wait for b's delivery
            thirdAccepted.set(true);
        }, "application");
        application.start();
        while (!thirdAccepted.get() && application.getState() != Thread.State.WAITING) {
            Thread.sleep(1);
        }
        assertFalse(thirdAccepted.get(), "with max-buffer-size 1 the third send waits for the second's delivery");
        assertEquals(1, producer.unacknowledged());
        assertTrue(kafka.completeNext()); // b delivered: c goes on
        application.join(10_000);
        assertTrue(thirdAccepted.get());
        producer.close(java.time.Duration.ofSeconds(1));
    }
}
