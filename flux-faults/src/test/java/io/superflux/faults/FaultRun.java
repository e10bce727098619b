package io.superflux.faults;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import io.superflux.testkit.FluxWorkerProcess;

/**
 * One fault scenario's world: an input topic, the records produced into it and what each is
 * planned to do ({@link FaultTask}), the {@code flux.jar} workers running the task, and the
 * task's log. A scenario produces, starts workers, hurts something, waits for every record to
 * reach its final outcome and reads the {@link Figures}.
 */
final class FaultRun implements AutoCloseable {
    static final Path FLUX_JAR = Path.of(System.getProperty("flux.jar", "../flux-cli/target/flux.jar"));
    static final Path TASK_CLASSES = Path.of(System.getProperty("faults.classes", "target/test-classes")).toAbsolutePath();
    static final boolean FULL = "full".equals(System.getProperty("faults.level"));
    private String task = FaultTask.class.getName();

    private final Brokers brokers;
    private final String topic;
    private final Path log;
    private final int retries;
    private final Map<String, String> taskProperties = new LinkedHashMap<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final Map<Integer, String> plans = new TreeMap<>();
    private final List<FluxWorkerProcess> workers = new ArrayList<>();
    private final long startedAt = System.nanoTime();

    /** A run with an input topic of {@code partitions} partitions (and that many replicas). */
    FaultRun(Brokers brokers, String name, int partitions, int replicationFactor, Map<String, String> topicConfig) {
        this.brokers = brokers;
        this.topic = name + "-" + UUID.randomUUID().toString().substring(0, 6);
        this.retries = 2;
        try {
            this.log = Files.createTempFile("faults-" + name + "-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        brokers.createTopic(topic, partitions, replicationFactor, topicConfig);
        taskProperties.put("faults.topic", topic);
        taskProperties.put("faults.log", log.toString());
        taskProperties.put("faults.retries", Integer.toString(retries));
        environment.put("FLUX_KAFKA_BROKERS", String.valueOf(brokers.clientProperties().get("bootstrap.servers")));
        environment.put("FLUX_SHUTDOWN_TIMEOUT", "10s");
        environment.put("FLUX_HTTP_PORT", "0"); // several workers share this host
        // A killed worker's partitions move after the session timeout (Kafka's default is 45 s).
        environment.put("FLUX_CONSUMER_PROPERTIES_SESSION_TIMEOUT_MS", "10000");
        environment.put("FLUX_TOPICS_REPLICATION_FACTOR", Integer.toString(replicationFactor));
    }

    /** Runs {@code type} ({@link FaultBatchTask}) instead of {@link FaultTask}. */
    FaultRun taskClass(Class<?> type) {
        task = type.getName();
        return this;
    }

    /** Sets a property of the task ({@code faults.concurrency}, {@code faults.call-ms}, …). */
    FaultRun task(String name, Object value) {
        taskProperties.put(name, String.valueOf(value));
        return this;
    }

    /** Sets (or, with null, removes) an environment variable of every worker started from now on (a Flux setting). */
    FaultRun env(String name, String value) {
        if (value == null) {
            environment.remove(name);
        } else {
            environment.put(name, value);
        }
        return this;
    }

    /** Small fetches: a stage needs the brokers every few hundred records instead of living off a big prefetch. */
    FaultRun smallFetches() {
        env("FLUX_CONSUMER_PROPERTIES_MAX_PARTITION_FETCH_BYTES", "8192");
        return env("FLUX_CONSUMER_PROPERTIES_FETCH_MAX_BYTES", "32768");
    }

    String topic() {
        return topic;
    }

    /** The plan of every record produced, by id. */
    Map<Integer, String> plans() {
        return plans;
    }

    /** Stage N+1. */
    int deadLetterStage() {
        return retries + 1;
    }

    /**
     * Produces records {@code from} to {@code from + count - 1}: value {@code <id>:<plan>}, key
     * {@code k-<id mod 50>}, an application header; waits until Kafka acknowledged every one.
     */
    void produce(int from, int count, IntFunction<String> plan) {
        Map<String, Object> props = new HashMap<>(brokers.clientProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (int id = from; id < from + count; id++) {
                String kind = plan.apply(id);
                plans.put(id, kind);
                ProducerRecord<String, String> record = new ProducerRecord<>(topic, "k-" + id % 50, id + ":" + kind);
                record.headers().add("trace", Integer.toString(id).getBytes(UTF_8));
                sent.add(producer.send(record));
            }
            for (java.util.concurrent.Future<?> future : sent) {
                future.get(60, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not produce the workload", e);
        }
    }

    /** The usual mix: 10 % fail once (handled in stage 1), 1 % always fail (dead letters), the rest succeed. */
    static String mixed(int id) {
        return id % 100 == 7 ? "dead" : id % 10 == 3 ? "retry" : "ok";
    }

    /** Starts a worker: {@code flux process --stages <stages> FaultTask}. */
    FluxWorkerProcess start(String stages) {
        return start(stages, Map.of());
    }

    /** Starts a worker with more environment variables. */
    FluxWorkerProcess start(String stages, Map<String, String> env) {
        Map<String, String> all = new LinkedHashMap<>(environment);
        all.putAll(env);
        FluxWorkerProcess worker = FluxWorkerProcess.builder(FLUX_JAR).env(all).systemProperties(taskProperties)
                .args("process", "--load", TASK_CLASSES.toString(), "--stages", stages, task).start();
        workers.add(worker);
        return worker;
    }

    /**
     * Runs {@code flux <command> --load <task classes> FaultTask} with the workers' settings (e.g.
     * {@code topics create}) and returns its exit code; fails with its output if it takes over a minute.
     */
    int command(String... command) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(List.of("--load", TASK_CLASSES.toString(), task));
        try (FluxWorkerProcess process = run(null, args.toArray(String[]::new))) {
            return process.exitCode();
        }
    }

    /**
     * Runs {@code flux <args>} with the workers' settings and {@code stdin} (or none) and waits a
     * minute at most for its exit; the caller reads its exit code and output.
     */
    FluxWorkerProcess run(String stdin, String... args) throws InterruptedException {
        FluxWorkerProcess.Builder builder = FluxWorkerProcess.builder(FLUX_JAR).env(environment).systemProperties(taskProperties)
                .args(args);
        if (stdin != null) {
            builder.stdin(stdin);
        }
        FluxWorkerProcess process = builder.start();
        process.waitFor(Duration.ofMinutes(1));
        return process;
    }

    /**
     * Produces records like {@link #produce} but through {@code flux produce} (key {@code k},
     * without the application header); fails unless it exits 0.
     */
    void produceWithFlux(int from, int count, IntFunction<String> plan) throws InterruptedException {
        StringBuilder lines = new StringBuilder();
        for (int id = from; id < from + count; id++) {
            String kind = plan.apply(id);
            plans.put(id, kind);
            lines.append(id).append(':').append(kind).append('\n');
        }
        try (FluxWorkerProcess produce = run(lines.toString(), "produce", "--topic", topic, "--key", "k")) {
            if (produce.exitCode() != 0) {
                fail("flux produce failed:\n" + produce.output());
            }
        }
    }

    /** Every worker and command connects with these client settings (security) from now on, through FLUX_KAFKA_PROPERTIES_*. */
    FaultRun clientSettings(Map<String, Object> properties) {
        properties.forEach((name, value) -> {
            if (!name.equals("bootstrap.servers")) {
                env("FLUX_KAFKA_PROPERTIES_" + name.toUpperCase(java.util.Locale.ROOT).replace('.', '_'), String.valueOf(value));
            }
        });
        return this;
    }

    /** How many records {@code topic} holds now (read from the beginning). */
    int count(String topic) {
        Map<String, Object> props = new HashMap<>(brokers.clientProperties());
        props.put("group.id", "faults-reader-" + UUID.randomUUID());
        props.put("auto.offset.reset", "earliest");
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> consumer = new org.apache.kafka.clients.consumer
                .KafkaConsumer<>(props, new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            long records = 0;
            for (Map.Entry<org.apache.kafka.common.TopicPartition, Long> end
                    : consumer.endOffsets(partitions, Duration.ofSeconds(10)).entrySet()) {
                records += end.getValue() - consumer.beginningOffsets(List.of(end.getKey()), Duration.ofSeconds(10)).get(end.getKey());
            }
            return (int) records;
        }
    }

    /** Topic of stage {@code n} (1..N retries, N+1 dead letters). */
    String stageTopic(int n) {
        return n == deadLetterStage() ? topic + "-faults-dlq" : topic + "-faults-try-" + n;
    }

    /** Every line the task logged so far. */
    List<TaskLog.Line> lines() {
        return TaskLog.read(log);
    }

    /** How many produced records reached their final outcome. */
    int completed() {
        return Figures.completed(plans, lines(), deadLetterStage());
    }

    /** Waits until {@code count} records reached their final outcome; fails with the workers' output after {@code timeout}. */
    void awaitCompleted(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (completed() < count) {
            if (System.nanoTime() > deadline) {
                fail("only " + completed() + " of " + count + " records completed within " + timeout + "\n" + outputs());
            }
            Thread.sleep(100);
        }
    }

    /** Waits until {@code stage} ended {@code count} calls (of any outcome). */
    void awaitCalls(int stage, int count, Duration timeout) throws InterruptedException {
        awaitLines(line -> line.stage() == stage && line.ended(), count, "stage " + stage + " did not end " + count
                + " calls", timeout);
    }

    /** How many different records {@code stage} ended a call of. */
    long distinctHandled(int stage) {
        return lines().stream().filter(line -> line.stage() == stage && line.ended()).mapToInt(TaskLog.Line::id).distinct()
                .count();
    }

    /** Waits until {@code worker} ended {@code count} calls of {@code stage}. */
    void awaitCalls(int stage, FluxWorkerProcess worker, int count, Duration timeout) throws InterruptedException {
        awaitLines(line -> line.stage() == stage && line.ended() && line.pid() == worker.pid(), count,
                "worker " + worker.pid() + " did not end " + count + " calls of stage " + stage, timeout);
    }

    /** Waits until {@code stage} began {@code count} calls (logged when calls take time). */
    void awaitStarts(int stage, int count, Duration timeout) throws InterruptedException {
        awaitLines(line -> line.stage() == stage && !line.ended(), count, "stage " + stage + " did not begin " + count
                + " calls", timeout);
    }

    private void awaitLines(java.util.function.Predicate<TaskLog.Line> which, int count, String failure, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (lines().stream().filter(which).count() < count) {
            if (System.nanoTime() > deadline) {
                fail(failure + " within " + timeout + "\n" + outputs());
            }
            Thread.sleep(50);
        }
    }

    /** Waits until a line of {@code stage} is logged at or after {@code since} (epoch ms) by another process than {@code notPid}; returns its time. */
    long awaitWork(int stage, long since, long notPid, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (TaskLog.Line line : lines()) {
                if (line.stage() == stage && line.ended() && line.at() >= since && line.pid() != notPid) {
                    return line.at();
                }
            }
            if (System.nanoTime() > deadline) {
                fail("no work in stage " + stage + " within " + timeout + " after the fault\n" + outputs());
            }
            Thread.sleep(50);
        }
    }

    /**
     * How long, after {@code faultAt} (epoch ms), a partition of {@code stage} with work left made
     * no progress at the most: the longest gap between two of its calls that ends after the fault
     * and begins before {@code until}, counted from the fault if it began before. Seconds. Call it
     * once the run is complete: a gap counts when it has closed.
     */
    double stallSeconds(int stage, long faultAt, long until) {
        Map<Integer, List<Long>> byPartition = new TreeMap<>();
        for (TaskLog.Line line : lines()) {
            if (line.stage() == stage && line.ended()) {
                byPartition.computeIfAbsent(line.partition(), p -> new ArrayList<>()).add(line.at());
            }
        }
        long longest = 0;
        for (List<Long> times : byPartition.values()) {
            times.sort(null);
            for (int i = 1; i < times.size(); i++) {
                if (times.get(i) > faultAt && times.get(i - 1) < until) {
                    longest = Math.max(longest, times.get(i) - Math.max(times.get(i - 1), faultAt));
                }
            }
        }
        return longest / 1000.0;
    }

    /**
     * How late, at the most, {@code stage} handled a record after its due time, in seconds: on a
     * retry stage this is how long a fault kept due records waiting.
     */
    double latestSeconds(int stage) {
        return lines().stream().filter(line -> line.stage() == stage && line.ended() && line.due() > 0)
                .mapToLong(line -> line.at() - line.due()).max().orElse(0) / 1000.0;
    }

    /** The figures now. */
    Figures figures() {
        return Figures.of(plans, lines(), deadLetterStage());
    }

    /** Seconds since the run began. */
    double seconds() {
        return (System.nanoTime() - startedAt) / 1e9;
    }

    /** Every worker's output, for failure messages. */
    String outputs() {
        StringBuilder text = new StringBuilder();
        for (FluxWorkerProcess worker : workers) {
            String output = worker.output();
            text.append("---- worker ").append(worker.pid()).append(worker.isAlive() ? " (running)" : " (exited)").append('\n')
                    .append(output, Math.max(0, output.length() - 6_000), output.length()).append('\n');
        }
        return text.toString();
    }

    /** SIGTERMs every worker still running and returns the exit codes of those it stopped. */
    List<Integer> stopAll() throws InterruptedException {
        List<Integer> codes = new ArrayList<>();
        for (FluxWorkerProcess worker : workers) {
            if (worker.isAlive()) {
                worker.terminate();
                codes.add(worker.waitFor(Duration.ofSeconds(60)));
            }
        }
        return codes;
    }

    @Override
    public void close() {
        workers.forEach(FluxWorkerProcess::close);
    }
}
