package io.superflux.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.superflux.ClusterSettings;
import io.superflux.FluxConfig;
import io.superflux.internal.kafka.ClientProperties;
import io.superflux.internal.task.RetryHeaders;
import io.superflux.retry.Stage;
import io.superflux.retry.StagePlan;

/**
 * Moves dead letters back to a stage: reads the dead-letter topic as the group
 * {@code <group>-replay} (so each dead letter is replayed once), produces each record — key, value
 * and application headers, Flux's headers cleared — to the stage's topic (same partition number),
 * and only then commits, per partition up to the first record not delivered. Nothing is lost: a
 * failure leaves the rest for the next run.
 */
final class DeadLetterReplay {
    /** What a replay did. */
    record Result(long replayed, long failed, String from, String to, String group) {
    }

    private final FluxConfig config;
    private final StagePlan plan;
    private final String clusterName;

    DeadLetterReplay(FluxConfig config, StagePlan plan, String clusterName) {
        this.config = config;
        this.plan = plan;
        this.clusterName = clusterName;
    }

    /** The replay group: its own, so a running dead-letter stage is not disturbed. */
    String group() {
        return plan.group() + "-replay";
    }

    Result replay(int toStage, long limit, boolean dryRun) throws InterruptedException {
        ClusterSettings cluster = config.cluster(clusterName);
        Stage from = plan.stage(plan.deadLetterStage());
        Stage to = plan.stage(toStage);
        Map<String, Object> consumerProps = ClientProperties.consumer(cluster, config.consumerProperties(), group(), Stage.Kind.DEAD_LETTER);
        Map<String, Object> producerProps = ClientProperties.forwarder(cluster, config.producer().properties(), group());
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) config.startupTimeout().toMillis()); // no poll loop to keep going here
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps,
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            Duration timeout = config.startupTimeout();
            List<TopicPartition> partitions = consumer.partitionsFor(from.topic(), timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).collect(Collectors.toList());
            int targetPartitions = consumer.partitionsFor(to.topic(), timeout).size();
            consumer.assign(partitions);
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(partitions), timeout);
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata offset = committed.get(partition);
                if (offset == null) {
                    consumer.seekToBeginning(List.of(partition));
                } else {
                    consumer.seek(partition, offset.offset());
                }
            }
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            Map<TopicPartition, List<Map.Entry<Long, Future<RecordMetadata>>>> sends = new HashMap<>();
            long replayed = 0;
            while (replayed < limit && !caughtUp(consumer, ends)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (replayed >= limit || record.offset() >= ends.get(partition)) {
                        continue;
                    }
                    replayed++;
                    if (!dryRun) {
                        Integer samePartition = record.partition() < targetPartitions ? record.partition() : null;
                        ProducerRecord<byte[], byte[]> back = new ProducerRecord<>(to.topic(), samePartition, null, record.key(),
                                record.value(), RetryHeaders.withoutFluxHeaders(record.headers()));
                        sends.computeIfAbsent(partition, p -> new ArrayList<>())
                                .add(Map.entry(record.offset(), producer.send(back)));
                    }
                }
            }
            if (dryRun) {
                return new Result(replayed, 0, from.topic(), to.topic(), group());
            }
            producer.flush();
            long failed = 0;
            Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
            for (Map.Entry<TopicPartition, List<Map.Entry<Long, Future<RecordMetadata>>>> partition : sends.entrySet()) {
                boolean intact = true;
                for (Map.Entry<Long, Future<RecordMetadata>> send : partition.getValue()) {
                    try {
                        send.getValue().get();
                        if (intact) {
                            commits.put(partition.getKey(), new OffsetAndMetadata(send.getKey() + 1));
                        }
                    } catch (ExecutionException e) {
                        intact = false; // commit nothing past it: the next replay sends it again
                        failed++;
                    }
                }
            }
            if (!commits.isEmpty()) {
                consumer.commitSync(commits, timeout);
            }
            return new Result(replayed - failed, failed, from.topic(), to.topic(), group());
        }
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }
}
