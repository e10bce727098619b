package io.superflux.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.superflux.bench.measure.CpuClock;
import io.superflux.bench.measure.Measurement;
import io.superflux.bench.measure.SteadyWindow;

/**
 * The benchmark: fills topics on the broker at {@code --bootstrap}, tunes the raw producer
 * baseline by a sweep, then runs each scenario for Flux and its baselines alternately (A B A B …)
 * for several rounds, each run in a fresh {@code -Xmx256m} JVM measured in its steady state; prints
 * markdown tables of medians and ratios (msg/s and CPU seconds per million messages) and writes
 * {@code bench/results/latest.json}. {@code scripts/bench [--quick]} starts the broker and runs this.
 */
public final class BenchMain {
    private static final int PARTITIONS = 4;
    private static final int SCALE_PARTITIONS = 16;
    private static final int SCALE_CONCURRENCY = 16;
    private static final int SCALE_SETTLE_SECONDS = 10;
    private static final int KEYS = 1_000;
    private static final String RUN_ID = Long.toString(System.currentTimeMillis() % 1_000_000);
    private static final String USAGE = "usage: BenchMain --bootstrap HOST:PORT [--quick] [--rounds N] [--only RUN-PREFIX]"
            + " [--jvm OPTION]... [--broker-pid PID] [--pc-classpath CP] [--out FILE]";

    private final String bootstrap;
    private final Sizes sizes;
    private final String only;
    private final List<String> jvmOptions;
    private final String pcClasspath;
    private final Map<String, List<Measurement>> runs = new LinkedHashMap<>();
    private ProducerTuning bestTuning;

    /** How much each scenario moves: full, or quick (one round, a smaller producer sweep). */
    record Sizes(int rounds, int consume, int forward, int ioBound, int scale, int lateness, long latenessSpreadMs,
                 int idleSeconds, ProducerTuning[] sweep, int[] latencyRates, int batchSink) {
        static final Sizes FULL = new Sizes(3, 24_000_000, 5_000_000, 600_000, 400_000, 10_000, 10_000, 60,
                ProducerTuning.FULL_SWEEP, new int[] {5_000, 50_000}, 6_000_000);
        static final Sizes QUICK = new Sizes(1, 24_000_000, 5_000_000, 600_000, 400_000, 10_000, 10_000, 20,
                ProducerTuning.QUICK_SWEEP, new int[] {5_000, 50_000}, 6_000_000);

        Sizes withRounds(int rounds) {
            return new Sizes(rounds, consume, forward, ioBound, scale, lateness, latenessSpreadMs, idleSeconds, sweep, latencyRates,
                    batchSink);
        }
    }

    private BenchMain(String bootstrap, Sizes sizes, String only, List<String> jvmOptions, String pcClasspath) {
        this.bootstrap = bootstrap;
        this.sizes = sizes;
        this.only = only;
        this.jvmOptions = jvmOptions;
        this.pcClasspath = pcClasspath;
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = null;
        boolean quick = false;
        Integer rounds = null;
        String only = null;
        String pcClasspath = null;
        List<String> jvmOptions = new ArrayList<>();
        Path out = Path.of("bench/results/latest.json");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = args[++i];
                case "--quick" -> quick = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--only" -> only = args[++i];
                case "--jvm" -> jvmOptions.add(args[++i]);
                case "--broker-pid" -> jvmOptions.add("-D" + CpuClock.BROKER_PID + "=" + args[++i]);
                case "--pc-classpath" -> pcClasspath = args[++i];
                default -> {
                    System.err.println(USAGE);
                    System.exit(2);
                }
            }
        }
        if (bootstrap == null || pcClasspath == null) {
            System.err.println(USAGE);
            System.exit(2);
        }
        Sizes sizes = quick ? Sizes.QUICK : Sizes.FULL;
        if (rounds != null) {
            sizes = sizes.withRounds(rounds);
        }
        BenchMain bench = new BenchMain(bootstrap, sizes, only, jvmOptions, pcClasspath);
        List<Result> results = bench.run();
        if (results.isEmpty()) {
            System.out.println("partial run (--only): results are the lines above; " + out + " left as it was");
            return;
        }
        System.out.println();
        System.out.println(Result.markdown(results));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, Result.json(results), UTF_8);
        System.out.println("written: " + out);
    }

    private List<Result> run() throws Exception {
        long started = System.nanoTime();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            String consumeTopic = wanted("consume") ? fill(admin, "bench-consume", sizes.consume(), PARTITIONS) : "";
            String forwardTopic = wanted("forward") ? fill(admin, "bench-forward", sizes.forward(), PARTITIONS) : "";
            String ioTopic = wanted("io-bound") ? fill(admin, "bench-io", sizes.ioBound(), PARTITIONS) : "";
            // twice the consume topic: the unordered side reads as fast as consume-flux, and must not run dry
            String keyOrderTopic = wanted("key-order") ? fill(admin, "bench-key-order", 2 * sizes.consume(), PARTITIONS) : "";
            String sinkTopic = wanted("batch-sink") ? fill(admin, "bench-sink", sizes.batchSink(), PARTITIONS) : "";
            String scaleTopic = wanted("scale") ? fill(admin, "bench-scale", sizes.scale(), SCALE_PARTITIONS) : "";
            bestTuning = tuneRawProducer(admin);
            for (int round = 1; round <= sizes.rounds(); round++) {
                log("round " + round + " of " + sizes.rounds());
                String produceTopic = create(admin, "bench-produce-" + round, PARTITIONS);
                measure("produce-flux", produceTopic, "-", 0, "");
                measure("produce-raw-tuned", produceTopic, "-", 0, bestTuning.toString());
                measure("produce-flux-tuned", produceTopic, "-", 0, bestTuning.toString());
                measure("produce-raw-default", produceTopic, "-", 0, "");
                measure("consume-flux", consumeTopic, "consume-flux-" + round, sizes.consume(), "");
                measure("consume-raw", consumeTopic, "consume-raw-" + round, sizes.consume(), "");
                measure("consume-raw-per-poll", consumeTopic, "consume-raw-per-poll-" + round, sizes.consume(), "");
                measure("consume-spring", consumeTopic, "consume-spring-" + round, sizes.consume(), "");
                measure("consume-spring-default", consumeTopic, "consume-spring-default-" + round, sizes.consume(), "");
                measure("forward-flux", forwardTopic, "forward-flux-" + round, sizes.forward(), "");
                measure("forward-eos-flux", forwardTopic, "forward-eos-flux-" + round, sizes.forward(), "");
                String target = wanted("forward-raw") ? create(admin, "bench-forward-raw-target-" + round, PARTITIONS) : "";
                measure("forward-raw", forwardTopic, "forward-raw-" + round, sizes.forward(), target + "," + bestTuning);
                measure("io-bound-flux", ioTopic, "io-flux-" + round, sizes.ioBound(), "");
                measureParallelConsumer(ioTopic, "io-pc-" + round, sizes.ioBound());
                measure("io-bound-spring", ioTopic, "io-spring-" + round, sizes.ioBound(), Integer.toString(PARTITIONS));
                latencyRuns(admin, round);
                String latenessTopic = wanted("lateness") ? create(admin, "bench-lateness-" + round, PARTITIONS) : "";
                measure("lateness-flux", latenessTopic, "lateness", sizes.lateness(), Long.toString(sizes.latenessSpreadMs()));
                batchSinkRuns(admin, sinkTopic, round);
                keyOrderRuns(keyOrderTopic, round);
                String idleTopic = wanted("idle") ? create(admin, "bench-idle-" + round, PARTITIONS) : "";
                measure("idle-flux", idleTopic, "idle-" + round, sizes.idleSeconds(), "");
            }
            for (int processes : new int[] {1, 2, 4}) {
                measureTogether("scale-processes-" + processes, processes, scaleTopic, "scale-p" + processes, SCALE_CONCURRENCY);
            }
            for (int concurrency : new int[] {1, 4, 16, 64}) {
                measureTogether("scale-concurrency-" + concurrency, 1, scaleTopic, "scale-c" + concurrency, concurrency);
            }
        }
        log(String.format("done in %.0f s", (System.nanoTime() - started) / 1e9));
        return only != null ? List.of() : new Results(runs, sizes).all(bestTuning);
    }

    /**
     * The latency runs of a round, each side alone on a topic of its own. Every topic is created
     * first, and the sides take turns going first (round 1: flux, raw, spring; round 2: raw,
     * spring, flux; …): the first run after a topic creation or a throughput scenario meets a
     * broker still busy with it.
     */
    private void latencyRuns(Admin admin, int round) throws Exception {
        if (!wanted("latency")) {
            return;
        }
        List<String> sides = new ArrayList<>(List.of("flux", "raw", "spring"));
        Collections.rotate(sides, -(round - 1));
        Map<String, String> topics = new LinkedHashMap<>();
        for (int rate : sizes.latencyRates()) {
            for (String side : sides) {
                topics.put(side + "-" + rate, create(admin, "bench-latency-" + side + "-" + rate + "-" + round, PARTITIONS));
            }
        }
        for (int rate : sizes.latencyRates()) {
            for (String side : sides) {
                measure("latency-" + side, "latency-" + side + "-" + rate, topics.get(side + "-" + rate), "latency-" + side + "-" + round,
                        0, Integer.toString(rate));
            }
        }
    }

    /** The batch-sink runs of a round: batch task, per-record task and raw loop, without and with 1 % failing. */
    private void batchSinkRuns(Admin admin, String topic, int round) throws Exception {
        for (String failing : new String[] {"", "-failing"}) {
            String prefix = "batch-sink" + failing;
            measure(prefix + "-flux", topic, prefix + "-flux-" + round, sizes.batchSink(), "");
            measure(prefix + "-raw", topic, prefix + "-raw-" + round, sizes.batchSink(),
                    failing.isEmpty() || !wanted(prefix + "-raw") ? "" : create(admin, "bench-sink-raw-retry-" + round, PARTITIONS));
            measure(prefix + "-flux-per-record", topic, prefix + "-flux-per-record-" + round, sizes.batchSink(), "");
        }
    }

    /**
     * The key-order runs of a round: ordered and unordered take turns going first (the first run
     * after the topic was filled meets a broker still busy with it).
     */
    private void keyOrderRuns(String topic, int round) throws IOException, InterruptedException {
        List<String> sides = new ArrayList<>(List.of("key-order-flux", "key-order-unordered-flux"));
        Collections.rotate(sides, round - 1);
        for (String side : sides) {
            measure(side, topic, side + "-" + round, 2 * sizes.consume(), "");
        }
    }

    /** Runs the raw producer with every tuning of the sweep once and keeps the fastest. */
    private ProducerTuning tuneRawProducer(Admin admin) throws Exception {
        if (!wanted("produce") && !wanted("forward")) {
            return sizes.sweep()[0];
        }
        String topic = create(admin, "bench-produce-sweep", PARTITIONS);
        ProducerTuning best = null;
        double bestRate = 0;
        for (ProducerTuning tuning : sizes.sweep()) {
            Measurement m = run("produce-raw-sweep", List.of(RunMain.class.getName(), "produce-raw-sweep", bootstrap, topic, "-", "0",
                    tuning.toString()), List.of());
            runs.computeIfAbsent("produce-raw-sweep-" + tuning, r -> new ArrayList<>()).add(m);
            log(String.format("  sweep %-34s %12.0f msg/s  %6.2f CPU s/M", tuning.describe(), m.get("value"), m.get("cpu_s_per_m")));
            if (m.get("value") > bestRate) {
                bestRate = m.get("value");
                best = tuning;
            }
        }
        log("raw producer baseline: " + best.describe());
        return best;
    }

    private void measure(String run, String topic, String group, int count, String extra) throws IOException, InterruptedException {
        measure(run, run, topic, group, count, extra);
    }

    /** One run of {@code runClass} (a RunMain case), kept under {@code name}. */
    private void measure(String runClass, String name, String topic, String group, int count, String extra)
            throws IOException, InterruptedException {
        if (only != null && !name.startsWith(only) && !runClass.startsWith(only)) {
            return;
        }
        List<String> main = new ArrayList<>(List.of(RunMain.class.getName(), runClass, bootstrap, topic, group, Integer.toString(count)));
        if (!extra.isEmpty()) {
            main.add(extra);
        }
        keep(name, run(name, main, List.of()));
    }

    /** Confluent's Parallel Consumer, in a JVM with its own classpath (kafka-clients 3.9). */
    private void measureParallelConsumer(String topic, String group, int count) throws IOException, InterruptedException {
        String name = "io-bound-parallel-consumer";
        if (only != null && !name.startsWith(only)) {
            return;
        }
        keep(name, run(name, List.of("-cp", pcClasspath, "io.superflux.bench.pc.ParallelConsumerRunMain", bootstrap, topic, group,
                Integer.toString(count)), List.of()));
    }

    /** {@code processes} workers of the I/O-bound task in one group, started together; their rates and CPU add up. */
    private void measureTogether(String name, int processes, String topic, String group, int concurrency) throws Exception {
        if (only != null && !name.startsWith(only)) {
            return;
        }
        List<Process> started = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            started.add(start(List.of(RunMain.class.getName(), "scale-flux", bootstrap, topic, group, Integer.toString(sizes.scale()),
                    Integer.toString(concurrency)), List.of("-D" + SteadyWindow.SETTLE_SECONDS + "=" + SCALE_SETTLE_SECONDS)));
        }
        Measurement total = new Measurement();
        double value = 0;
        double cpu = 0;
        for (Process process : started) {
            Measurement one = result(name, process);
            value += one.get("value");
            cpu += one.get("cpu_s") / one.get("seconds"); // CPU s per second of this process
        }
        total.put("value", value);
        total.put("cpu_s_per_m", cpu / value * 1e6);
        keep(name, total);
    }

    private void keep(String name, Measurement measurement) {
        runs.computeIfAbsent(name, r -> new ArrayList<>()).add(measurement);
        log(String.format("  %-28s %12.1f  CPU %7.2f s/M  broker %7.2f s/M  heap peak %5.1f MiB  gc %4.1f%%", name,
                measurement.get("value"), optional(measurement, "cpu_s_per_m"), optional(measurement, "broker_cpu_s_per_m"),
                optional(measurement, "heap_peak_mib"), optional(measurement, "gc_share_pct")));
        if (measurement.has("order_topic_bytes")) {
            log(String.format("  %-28s %.0f parked, order topic %.1f MiB: %.0f B per parked record", name,
                    measurement.get("parked"), measurement.get("order_topic_bytes") / 1048576.0,
                    measurement.get("order_topic_bytes") / Math.max(1, measurement.get("parked"))));
        }
        if (measurement.has("p99_ms")) {
            log(String.format("  %-28s latency p50 %.2f  p99 %.2f  p999 %.2f  max %.2f ms", name, optional(measurement, "p50_ms"),
                    measurement.get("p99_ms"), optional(measurement, "p999_ms"), optional(measurement, "max_ms")));
        }
    }

    private static double optional(Measurement measurement, String key) {
        return measurement.has(key) ? measurement.get(key) : Double.NaN;
    }

    private Measurement run(String name, List<String> main, List<String> extraJvmOptions) throws IOException, InterruptedException {
        return result(name, start(main, extraJvmOptions));
    }

    private Process start(List<String> main, List<String> extraJvmOptions) throws IOException {
        List<String> command = new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-Xmx256m"));
        command.addAll(jvmOptions);
        command.addAll(extraJvmOptions);
        if (!main.get(0).equals("-cp")) {
            command.addAll(List.of("-cp", System.getProperty("java.class.path")));
        }
        command.addAll(main);
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static Measurement result(String name, Process process) throws IOException, InterruptedException {
        String resultLine = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("RESULT ")) {
                    resultLine = line;
                }
            }
        }
        if (!process.waitFor(15, TimeUnit.MINUTES) || process.exitValue() != 0 || resultLine == null) {
            throw new IllegalStateException(name + " failed (exit " + (process.isAlive() ? "none" : process.exitValue()) + ")");
        }
        return Measurement.parse(resultLine);
    }

    private boolean wanted(String scenario) {
        return only == null || only.startsWith(scenario) || scenario.startsWith(only);
    }

    private String create(Admin admin, String base, int partitions) throws Exception {
        String name = base + "-" + RUN_ID; // a second run against the same broker gets topics of its own
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!hasLeaders(admin, name)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + name + " has partitions without a leader 30 s after its creation");
            }
            Thread.sleep(20);
        }
        return name;
    }

    /** Whether every partition of a topic just created has a leader; false while the broker's metadata does not know it yet. */
    private static boolean hasLeaders(Admin admin, String topic) throws Exception {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions().stream()
                    .allMatch(p -> p.leader() != null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false;
            }
            throw e;
        }
    }

    /** A topic with {@code count} 100-byte records over 1,000 keys (not measured). */
    private String fill(Admin admin, String base, int count, int partitions) throws Exception {
        String name = create(admin, base, partitions);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Kafka.producer(bootstrap, new ProducerTuning(262_144, 20)),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            byte[] value = BenchData.value();
            byte[][] keys = new byte[KEYS][];
            for (int k = 0; k < KEYS; k++) {
                keys[k] = ("key-" + k).getBytes(UTF_8);
            }
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(name, keys[i % KEYS], value));
            }
        }
        log("filled " + name + " with " + count + " records");
        return name;
    }

    static void log(String line) {
        System.err.println("[bench] " + line);
    }
}
