package io.superflux.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.superflux.FluxConfig;
import io.superflux.internal.kafka.ClientProperties;
import io.superflux.internal.headers.RetryHeaders;
import io.superflux.retry.Stage;
import io.superflux.retry.StagePlan;

/**
 * Moves dead letters back to a stage: reads the dead-letter topic from where the group
 * {@code <group>-replay} left off, produces each dead letter the filter takes — key, value and
 * application headers, Flux's failure headers cleared, {@code flux-replays} counted up — to the
 * stage's topic (same partition number), and only then records it as done ({@link ReplayProgress}).
 * Each dead letter is replayed once; one that no filter took stays for a later replay; one replayed
 * {@code maxReplays} times already is skipped and reported. A send that fails leaves its dead letter
 * for the next run.
 */
final class DeadLetterReplay {
    /** What a replay did: counts, and the dead letters skipped for their replays. */
    record Result(long replayed, long failed, List<String> overReplayed, boolean metadataFull, String from, String to,
                  String group) {
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

    Result replay(int toStage, long limit, boolean dryRun, DeadLetterFilter filter, int maxReplays) {
        Stage from = plan.stage(plan.deadLetterStage());
        Stage to = plan.stage(toStage);
        Map<String, Object> producerProps = ClientProperties.forwarder(config.cluster(clusterName),
                config.producer().properties(), group());
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) config.startupTimeout().toMillis()); // no poll loop here
        try (DeadLetterScan scan = new DeadLetterScan(config, clusterName, from.topic(), group());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps,
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            int targetPartitions = producer.partitionsFor(to.topic()).size();
            Map<TopicPartition, OffsetAndMetadata> committed = scan.committed();
            Map<TopicPartition, ReplayProgress> progress = new HashMap<>();
            Map<TopicPartition, Long> starts = new HashMap<>();
            for (TopicPartition partition : scan.partitions()) {
                ReplayProgress partitionProgress = ReplayProgress.of(committed.get(partition), scan.logStart(partition));
                progress.put(partition, partitionProgress);
                starts.put(partition, partitionProgress.start());
            }
            Map<TopicPartition, List<Map.Entry<Long, Future<RecordMetadata>>>> sends = new HashMap<>();
            List<String> overReplayed = new ArrayList<>();
            long[] taken = {0};
            boolean[] metadataFull = {false};
            scan.read(starts, record -> {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                ReplayProgress partitionProgress = progress.get(partition);
                if (partitionProgress.isDone(record.offset())) {
                    return true;
                }
                DeadLetter letter = DeadLetter.of(record);
                if (!filter.matches(letter)) {
                    return true;
                }
                if (letter.replays() >= maxReplays) {
                    overReplayed.add(letter.where() + " (replayed " + letter.replays() + " times)");
                    return true;
                }
                if (!partitionProgress.fits(record.offset())) {
                    metadataFull[0] = true; // scattered replays no longer fit the commit: stop before sending this one
                    return false;
                }
                taken[0]++;
                if (!dryRun) {
                    Integer samePartition = record.partition() < targetPartitions ? record.partition() : null;
                    ProducerRecord<byte[], byte[]> back = new ProducerRecord<>(to.topic(), samePartition, null, record.key(),
                            record.value(), RetryHeaders.replayed(record.headers()));
                    sends.computeIfAbsent(partition, p -> new ArrayList<>()).add(Map.entry(record.offset(), producer.send(back)));
                }
                return taken[0] < limit;
            });
            if (dryRun) {
                return new Result(taken[0], 0, overReplayed, metadataFull[0], from.topic(), to.topic(), group());
            }
            producer.flush();
            long failed = 0;
            Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
            for (Map.Entry<TopicPartition, List<Map.Entry<Long, Future<RecordMetadata>>>> partition : sends.entrySet()) {
                ReplayProgress partitionProgress = progress.get(partition.getKey());
                for (Map.Entry<Long, Future<RecordMetadata>> send : partition.getValue()) {
                    try {
                        send.getValue().get();
                        partitionProgress.markDone(send.getKey());
                    } catch (ExecutionException e) {
                        failed++; // not marked: the next replay sends it again
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        failed++;
                    }
                }
                commits.put(partition.getKey(), partitionProgress.commit());
            }
            scan.commit(commits);
            return new Result(taken[0] - failed, failed, overReplayed, metadataFull[0], from.topic(), to.topic(), group());
        }
    }
}
