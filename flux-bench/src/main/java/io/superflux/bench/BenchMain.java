package io.superflux.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The benchmark: fills topics on the broker at {@code --bootstrap}, then runs each scenario for
 * Flux and its baseline alternately (A B A B …) for several rounds, each run in a fresh
 * {@code -Xmx256m} JVM; prints a markdown table of medians and ratios and writes
 * {@code bench/results/latest.json}. {@code scripts/bench [--quick]} starts the broker and runs this.
 */
public final class BenchMain {
    private static final int PARTITIONS = 4;
    private static final int KEYS = 1_000;
    private static final String RUN_ID = Long.toString(System.currentTimeMillis() % 1_000_000);
    private static final String USAGE = "usage: BenchMain --bootstrap HOST:PORT [--quick] [--rounds N] [--only RUN-PREFIX]"
            + " [--jvm OPTION]... [--out FILE]";

    private final String bootstrap;
    private final Sizes sizes;
    private final String only;
    private final List<String> jvmOptions;
    private final Map<String, List<Measurement>> runs = new LinkedHashMap<>();

    /** How much each scenario moves: full, or quick (under four minutes). */
    record Sizes(int rounds, int produce, int consume, int forward, int ioBound, int lateness, long latenessSpreadMs) {
        static final Sizes FULL = new Sizes(3, 1_000_000, 2_000_000, 300_000, 20_000, 10_000, 10_000);
        static final Sizes QUICK = new Sizes(3, 300_000, 1_000_000, 100_000, 10_000, 10_000, 10_000);
    }

    private BenchMain(String bootstrap, Sizes sizes, String only, List<String> jvmOptions) {
        this.bootstrap = bootstrap;
        this.sizes = sizes;
        this.only = only;
        this.jvmOptions = jvmOptions;
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = null;
        boolean quick = false;
        Integer rounds = null;
        String only = null;
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
                default -> {
                    System.err.println(USAGE);
                    System.exit(2);
                }
            }
        }
        if (bootstrap == null) {
            System.err.println(USAGE);
            System.exit(2);
        }
        Sizes sizes = quick ? Sizes.QUICK : Sizes.FULL;
        if (rounds != null) {
            sizes = new Sizes(rounds, sizes.produce(), sizes.consume(), sizes.forward(), sizes.ioBound(), sizes.lateness(),
                    sizes.latenessSpreadMs());
        }
        BenchMain bench = new BenchMain(bootstrap, sizes, only, jvmOptions);
        List<Result> results = bench.run();
        if (results.isEmpty()) {
            System.out.println("partial run (--only): results are the lines above; " + out + " left as it was");
            return;
        }
        String table = Result.markdown(results);
        System.out.println();
        System.out.println(table);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, Result.json(results), UTF_8);
        System.out.println("written: " + out);
    }

    private List<Result> run() throws Exception {
        long started = System.nanoTime();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            String consumeTopic = wanted("consume") ? fill(admin, "bench-consume", sizes.consume()) : "";
            String forwardTopic = wanted("forward") ? fill(admin, "bench-forward", sizes.forward()) : "";
            String ioTopic = wanted("io-bound") ? fill(admin, "bench-io", sizes.ioBound()) : "";
            for (int round = 1; round <= sizes.rounds(); round++) {
                log("round " + round + " of " + sizes.rounds());
                String produceTopic = create(admin, "bench-produce-" + round);
                measure("produce-flux", produceTopic, "-", sizes.produce(), "");
                measure("produce-raw", produceTopic, "-", sizes.produce(), "");
                measure("consume-flux", consumeTopic, "consume-flux-" + round, sizes.consume(), "");
                measure("consume-raw", consumeTopic, "consume-raw-" + round, sizes.consume(), "");
                measure("consume-spring", consumeTopic, "consume-spring-" + round, sizes.consume(), "");
                measure("consume-spring-default", consumeTopic, "consume-spring-default-" + round, sizes.consume(), "");
                measure("forward-flux", forwardTopic, "forward-flux-" + round, sizes.forward(), "");
                String target = create(admin, "bench-forward-raw-target-" + round);
                measure("forward-raw", forwardTopic, "forward-raw-" + round, sizes.forward(), target);
                measure("io-bound-flux", ioTopic, "io-flux-" + round, sizes.ioBound(), "");
                measure("io-bound-spring", ioTopic, "io-spring-" + round, sizes.ioBound(), Integer.toString(PARTITIONS));
                String latenessTopic = create(admin, "bench-lateness-" + round);
                measure("lateness-flux", latenessTopic, "lateness", sizes.lateness(), Long.toString(sizes.latenessSpreadMs()));
            }
        }
        log(String.format("done in %.0f s", (System.nanoTime() - started) / 1e9));
        return results();
    }

    private List<Result> results() {
        if (only != null) {
            return List.of(); // a partial run: the per-run lines above are its output
        }
        List<Result> results = new ArrayList<>();
        results.add(Result.ratio("produce", median("produce-flux"), median("produce-raw"), "msg/s", ">= 0.95"));
        results.add(Result.ratio("consume", median("consume-flux"), median("consume-raw"), "msg/s", ">= 0.90"));
        results.add(Result.ratio("consume-vs-spring", median("consume-flux"), median("consume-spring"), "msg/s", ">= 1.0"));
        results.add(Result.ratio("consume-vs-spring-default", median("consume-flux"), median("consume-spring-default"),
                "msg/s", "report only"));
        results.add(Result.ratio("forward", median("forward-flux"), median("forward-raw"), "msg/s", ">= 0.8"));
        results.add(Result.ratio("io-bound", median("io-bound-flux"), median("io-bound-spring"), "msg/s", ">= 25"));
        results.add(Result.single("retry-lateness-p50", median("lateness-flux", "p50_ms"), "ms", "report"));
        results.add(Result.single("retry-lateness-p99", median("lateness-flux", "p99_ms"), "ms", "<= 250"));
        results.add(Result.single("retry-early-count", max(Set.of("lateness-flux"), "early"), "records", "== 0"));
        Set<String> workers = Set.of("consume-flux", "io-bound-flux");
        results.add(Result.single("memory-heap-peak", max(workers, "heap_peak_mib"), "MiB", "-Xmx256m, no OOM"));
        results.add(Result.single("gc-share", max(workers, "gc_share_pct"), "%", "< 5"));
        return results;
    }

    private void measure(String run, String topic, String group, int count, String extra) throws IOException, InterruptedException {
        if (only != null && !run.startsWith(only)) {
            return;
        }
        List<String> command = new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-Xmx256m"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), RunMain.class.getName(),
                run, bootstrap, topic, group, Integer.toString(count)));
        if (!extra.isEmpty()) {
            command.add(extra);
        }
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String resultLine = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("RESULT ")) {
                    resultLine = line;
                }
            }
        }
        if (!process.waitFor(15, TimeUnit.MINUTES) || process.exitValue() != 0 || resultLine == null) {
            throw new IllegalStateException(run + " failed (exit " + (process.isAlive() ? "none" : process.exitValue()) + ")");
        }
        Measurement measurement = Measurement.parse(resultLine);
        runs.computeIfAbsent(run, r -> new ArrayList<>()).add(measurement);
        log(String.format("  %-24s %12.1f  heap peak %5.1f MiB  gc %4.1f%%", run, measurement.get("value"),
                measurement.get("heap_peak_mib"), measurement.get("gc_share_pct")));
    }

    private boolean wanted(String scenario) {
        return only == null || only.startsWith(scenario) || scenario.startsWith(only);
    }

    private double median(String run) {
        return median(run, "value");
    }

    private double median(String run, String key) {
        double[] values = runs.get(run).stream().mapToDouble(m -> m.get(key)).sorted().toArray();
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private double max(Set<String> names, String key) {
        return names.stream().flatMap(run -> runs.get(run).stream()).mapToDouble(m -> m.get(key)).max().orElseThrow();
    }

    private String create(Admin admin, String base) throws Exception {
        String name = base + "-" + RUN_ID; // a second run against the same broker gets topics of its own
        admin.createTopics(List.of(new NewTopic(name, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        while (admin.describeTopics(List.of(name)).allTopicNames().get(30, TimeUnit.SECONDS).get(name).partitions().stream()
                .anyMatch(p -> p.leader() == null)) {
            Thread.sleep(20);
        }
        return name;
    }

    /** A topic with {@code count} 100-byte records over 1,000 keys (not measured). */
    private String fill(Admin admin, String base, int count) throws Exception {
        String name = create(admin, base);
        Map<String, Object> props = Kafka.producer(bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            byte[] value = BenchData.value();
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(name, ("key-" + (i % KEYS)).getBytes(UTF_8), value));
            }
        }
        log("filled " + name + " with " + count + " records");
        return name;
    }

    private static void log(String line) {
        System.err.println("[bench] " + line);
    }
}
