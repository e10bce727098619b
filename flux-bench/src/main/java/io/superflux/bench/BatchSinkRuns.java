package io.superflux.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.superflux.bench.measure.Measurement;
import io.superflux.task.Batch;
import io.superflux.task.BatchTask;
import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/**
 * {@code batch-sink}: records into an embedded database ({@link SinkTable}). Flux's batch task
 * (one statement per batch) against Flux's per-record task (one statement per record) and the raw
 * loop a strong engineer writes: each poll's records in one statement, then an asynchronous
 * commit. With {@code failing}, 1 % of the records are bad: Flux marks them and they go on to the
 * retry topic; the raw loop writes the good ones and sends the bad ones to a retry topic of its
 * own with a producer, flushed before the commit so that none is lost (it has no delayed retry
 * consumer: that would be more of its own code).
 */
final class BatchSinkRuns {
    private BatchSinkRuns() {
    }

    /** The batch task: one MERGE per batch. */
    static final class SinkBatchTask extends BatchTask<byte[]> {
        private final SinkTable table;
        private final Completion completion;
        private final boolean failing;

        SinkBatchTask(String topic, String group, SinkTable table, Completion completion, boolean failing) {
            super(TaskSpec.topic(topic).group(group).retries(1).bytes());
            this.table = table;
            this.completion = completion;
            this.failing = failing;
        }

        @Override
        public void call(Batch<byte[]> batch) throws Exception {
            List<ConsumerRecord<byte[], byte[]>> rows = new ArrayList<>(batch.size());
            for (Message<byte[]> message : batch) {
                if (failing && SinkTable.bad(message.record())) {
                    batch.failed(message, new IllegalArgumentException("bad row"));
                } else {
                    rows.add(message.record());
                }
                completion.record();
            }
            table.write(rows);
        }
    }

    /** The per-record task: one MERGE per record. */
    static final class SinkRecordTask extends Task<byte[]> {
        private final SinkTable table;
        private final Completion completion;
        private final boolean failing;

        SinkRecordTask(String topic, String group, SinkTable table, Completion completion, boolean failing) {
            super(TaskSpec.topic(topic).group(group).retries(1).bytes());
            this.table = table;
            this.completion = completion;
            this.failing = failing;
        }

        @Override
        public void call(Message<byte[]> message) throws Exception {
            completion.record();
            if (failing && SinkTable.bad(message.record())) {
                throw new IllegalArgumentException("bad row");
            }
            table.write(List.of(message.record()));
        }
    }

    static Measurement flux(String bootstrap, String topic, String group, long count, boolean batches, boolean failing)
            throws Exception {
        try (SinkTable table = new SinkTable(group)) {
            return FluxStageRun.mainStage(bootstrap, count, completion -> batches
                    ? new SinkBatchTask(topic, group, table, completion, failing)
                    : new SinkRecordTask(topic, group, table, completion, failing));
        }
    }

    /** {@code retryTopic}: where the raw loop sends the records that fail, or null when none fails. */
    static Measurement raw(String bootstrap, String topic, String group, long count, String retryTopic) throws Exception {
        Completion completion = new Completion(count);
        AtomicBoolean running = new AtomicBoolean(true);
        try (SinkTable table = new SinkTable(group)) {
            Thread loop = new Thread(() -> rawLoop(bootstrap, topic, group, table, completion, retryTopic, running), "bench-raw-sink");
            loop.start();
            try {
                return completion.measureSteady();
            } finally {
                running.set(false);
                loop.join();
            }
        }
    }

    private static void rawLoop(String bootstrap, String topic, String group, SinkTable table, Completion completion,
                                String retryTopic, AtomicBoolean running) {
        boolean failing = retryTopic != null;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Kafka.consumer(bootstrap, group),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> retries = new KafkaProducer<>(Kafka.producer(bootstrap, new ProducerTuning(262_144, 5)),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            consumer.subscribe(List.of(topic));
            while (running.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    continue;
                }
                List<ConsumerRecord<byte[], byte[]>> rows = new ArrayList<>(records.count());
                boolean forwarded = false;
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    if (failing && SinkTable.bad(record)) {
                        retries.send(new ProducerRecord<>(retryTopic, record.partition(), record.key(), record.value()));
                        forwarded = true;
                    } else {
                        rows.add(record);
                    }
                    completion.record();
                }
                table.write(rows);
                if (forwarded) {
                    retries.flush(); // the failures are safe before their offsets are committed
                }
                consumer.commitAsync();
            }
            consumer.commitSync();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
