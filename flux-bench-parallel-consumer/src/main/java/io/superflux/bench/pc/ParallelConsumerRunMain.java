package io.superflux.bench.pc;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.LongAdder;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.confluent.parallelconsumer.ParallelConsumerOptions;
import io.confluent.parallelconsumer.ParallelConsumerOptions.CommitMode;
import io.confluent.parallelconsumer.ParallelConsumerOptions.ProcessingOrder;
import io.confluent.parallelconsumer.ParallelStreamProcessor;
import io.superflux.bench.measure.Measurement;
import io.superflux.bench.measure.SteadyWindow;

/**
 * The {@code io-bound} peer: Confluent's Parallel Consumer with KEY ordering and concurrency 200
 * (as its README advises for I/O-bound work with per-key order), periodic asynchronous commits
 * (its default and fastest mode), each record waiting 5 ms like a remote call. Run by
 * {@code BenchMain} in a JVM of its own: {@code ParallelConsumerRunMain <bootstrap> <topic> <group> <count>}.
 * Prints {@code RESULT …}.
 */
public final class ParallelConsumerRunMain {
    private static final int CONCURRENCY = 200;
    private static final long WAIT_MS = 5;

    private ParallelConsumerRunMain() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        String group = args[2];
        long count = Long.parseLong(args[3]);
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false); // Parallel Consumer commits itself
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        ParallelConsumerOptions<byte[], byte[]> options = ParallelConsumerOptions.<byte[], byte[]>builder()
                .consumer(consumer)
                .ordering(ProcessingOrder.KEY)
                .maxConcurrency(CONCURRENCY)
                .commitMode(CommitMode.PERIODIC_CONSUMER_ASYNCHRONOUS)
                .build();
        LongAdder handled = new LongAdder();
        ParallelStreamProcessor<byte[], byte[]> processor = ParallelStreamProcessor.createEosStreamProcessor(options);
        processor.subscribe(List.of(topic));
        processor.poll(context -> {
            try {
                Thread.sleep(WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            handled.increment();
        });
        Measurement measurement = new SteadyWindow(handled::sum, count).measure();
        processor.close();
        System.out.println(measurement.line());
        System.out.flush();
        System.exit(0);
    }
}
