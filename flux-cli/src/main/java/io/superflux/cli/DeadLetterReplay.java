package io.superflux.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.superflux.FluxConfig;
import io.superflux.internal.headers.RetryHeaders;
import io.superflux.internal.kafka.ClientProperties;
import io.superflux.retry.Stage;
import io.superflux.retry.StagePlan;

/**
 * Moves dead letters back to a stage: reads the dead-letter topic from where the group
 * {@code <group>-replay} left off, produces each dead letter the filter takes — key, value and
 * application headers, Flux's failure headers cleared, {@code flux-replays} counted up — to the
 * stage's topic (same partition number), and only then records it as done ({@link ReplayProgress}).
 * Each dead letter is replayed once; one that no filter took stays for a later replay; one replayed
 * {@code maxReplays} times already is skipped and reported. A send that fails leaves its dead letter
 * for the next run. Progress is committed every thousand letters and at the end.
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
            Checkpoints checkpoints = new Checkpoints(producer, scan, progress, dryRun);
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
                if (!partitionProgress.take(record.offset())) {
                    metadataFull[0] = true; // scattered replays no longer fit the commit: stop before sending this one
                    return false;
                }
                taken[0]++;
                if (!dryRun) {
                    Integer samePartition = record.partition() < targetPartitions ? record.partition() : null;
                    checkpoints.send(partition, record.offset(), new ProducerRecord<>(to.topic(), samePartition, null,
                            record.key(), record.value(), RetryHeaders.replayed(record.headers())));
                }
                return taken[0] < limit;
            });
            long failed = checkpoints.commit();
            return new Result(taken[0] - failed, failed, overReplayed, metadataFull[0], from.topic(), to.topic(), group());
        }
    }

    /**
     * Sends dead letters back and, every {@value #CHECKPOINT_LETTERS} of them and at the end,
     * waits for their acknowledgements and commits the replay group's progress: a replay that
     * stops half-way keeps what it did, and no more than a checkpoint's letters are held in memory.
     */
    private static final class Checkpoints {
        private static final int CHECKPOINT_LETTERS = 1_000;

        private final KafkaProducer<byte[], byte[]> producer;
        private final DeadLetterScan scan;
        private final Map<TopicPartition, ReplayProgress> progress;
        private final boolean dryRun;
        private final Set<TopicPartition> touched = new HashSet<>();
        private final ConcurrentLinkedQueue<Map.Entry<TopicPartition, Long>> failures = new ConcurrentLinkedQueue<>();
        private int sinceCheckpoint;
        private long failed;

        Checkpoints(KafkaProducer<byte[], byte[]> producer, DeadLetterScan scan, Map<TopicPartition, ReplayProgress> progress,
                    boolean dryRun) {
            this.producer = producer;
            this.scan = scan;
            this.progress = progress;
            this.dryRun = dryRun;
        }

        void send(TopicPartition partition, long offset, ProducerRecord<byte[], byte[]> back) {
            touched.add(partition);
            producer.send(back, (metadata, error) -> {
                if (error != null) {
                    failures.add(Map.entry(partition, offset)); // not done: the next replay sends it again
                }
            });
            if (++sinceCheckpoint >= CHECKPOINT_LETTERS) {
                commit();
            }
        }

        /** Waits for what was sent, gives the failed letters back and commits; returns the failures so far. */
        long commit() {
            if (dryRun || touched.isEmpty()) {
                return failed;
            }
            producer.flush();
            Map.Entry<TopicPartition, Long> failure;
            while ((failure = failures.poll()) != null) {
                progress.get(failure.getKey()).failed(failure.getValue());
                failed++;
            }
            Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
            for (TopicPartition partition : touched) {
                commits.put(partition, progress.get(partition).commit());
            }
            scan.commit(commits);
            touched.clear();
            sinceCheckpoint = 0;
            return failed;
        }
    }
}
