package io.superflux.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.bench.measure.Measurement;
import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/**
 * {@code retry-lateness}: records in a retry stage with due times spread over a window, each
 * partition in due order (as forwards arrive); handled − due for every record, with the real
 * clock. Flux only: no peer throttles retries.
 */
final class LatenessRuns {
    /**
     * The first record is due this long after it is written, as a forward from stage 0 would be at
     * the earliest (the standard policy's shortest wait before stage 1 is 16 s): an idle retry
     * stage rests between sweeps up to half that wait, so a record due sooner than any forward
     * could be would measure the rest, not the throttle.
     */
    private static final long LEAD_MS = 17_000;
    private static final int PARTITIONS = 4;

    private LatenessRuns() {
    }

    /** A retry-stage task that notes how late each record came. */
    static final class LatenessTask extends Task<byte[]> {
        final ConcurrentLinkedQueue<Long> lateness = new ConcurrentLinkedQueue<>();
        private final Completion completion;

        LatenessTask(String topic, String group, Completion completion) {
            super(TaskSpec.topic(topic).group(group).retries(1).bytes());
            this.completion = completion;
        }

        @Override
        public void call(Message<byte[]> message) {
            long now = System.currentTimeMillis();
            lateness.add(now - message.dueAt().orElseThrow().toEpochMilli());
            completion.record();
        }
    }

    static Measurement flux(String bootstrap, String topic, String group, int count, long spreadMs)
            throws InterruptedException {
        SuperFlux.configure(c -> c.brokers(bootstrap).clientId("bench-flux"));
        Completion completion = new Completion(count);
        LatenessTask task = new LatenessTask(topic, group, completion);
        Worker worker = SuperFlux.start(task, "1");
        String retryTopic = task.spec().plan().stage(1).topic();
        long start = System.currentTimeMillis() + LEAD_MS;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Kafka.producer(bootstrap, new ProducerTuning(16_384, 5)),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                long due = start + spreadMs * i / count;
                RecordHeaders headers = new RecordHeaders();
                headers.add("flux-due-at", Long.toString(due).getBytes(UTF_8));
                producer.send(new ProducerRecord<>(retryTopic, i % PARTITIONS, null, (byte[]) null, BenchData.value(), headers));
            }
        }
        Measurement measurement = new Measurement();
        measurement.start();
        completion.awaitAll(600);
        measurement.stop(count);
        worker.stop();
        SuperFlux.shutdown();
        long[] values = task.lateness.stream().mapToLong(Long::longValue).sorted().toArray();
        measurement.put("p50_ms", percentile(values, 50));
        measurement.put("p99_ms", percentile(values, 99));
        measurement.put("early", Arrays.stream(values).filter(v -> v < 0).count());
        return measurement;
    }

    static double percentile(long[] sorted, int percent) {
        int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
