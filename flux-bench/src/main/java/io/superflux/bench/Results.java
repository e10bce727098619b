package io.superflux.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.superflux.bench.measure.Measurement;

/** Turns the runs' measurements into result lines: medians over rounds, ratios, targets. */
final class Results {
    private final Map<String, List<Measurement>> runs;
    private final BenchMain.Sizes sizes;

    Results(Map<String, List<Measurement>> runs, BenchMain.Sizes sizes) {
        this.runs = runs;
        this.sizes = sizes;
    }

    List<Result> all(ProducerTuning tuning) {
        List<Result> results = new ArrayList<>();
        String tuned = "raw, " + tuning.describe();
        results.add(Result.throughput("produce (Flux defaults)", tuned, summary("produce-flux"), summary("produce-raw-tuned"),
                ">= 0.95"));
        results.add(Result.throughput("produce (Flux tuned the same)", tuned, summary("produce-flux-tuned"),
                summary("produce-raw-tuned"), ">= 0.95; CPU <= 1.10"));
        results.add(Result.throughput("produce vs raw defaults", "raw, kafka-clients defaults", summary("produce-flux"),
                summary("produce-raw-default"), "report"));
        results.add(Result.throughput("consume", "raw loop, commitAsync 1/s", summary("consume-flux"), summary("consume-raw"),
                ">= 0.90"));
        results.add(Result.throughput("consume vs per-poll commit", "raw loop, commitAsync every poll", summary("consume-flux"),
                summary("consume-raw-per-poll"), "report"));
        results.add(Result.throughput("consume vs Spring", "Spring Kafka, async commits", summary("consume-flux"),
                summary("consume-spring"), ">= 1.0"));
        results.add(Result.throughput("consume vs Spring defaults", "Spring Kafka defaults", summary("consume-flux"),
                summary("consume-spring-default"), "report"));
        results.add(Result.throughput("forward", "raw consume→produce→commit, tuned producer", summary("forward-flux"),
                summary("forward-raw"), ">= 0.8"));
        results.add(Result.throughput("forward-eos", "raw consume→produce→commit, tuned producer (at-least-once)",
                summary("forward-eos-flux"), summary("forward-raw"), "report (flux.delivery = exactly-once)"));
        results.add(Result.throughput("io-bound vs Parallel Consumer", "Parallel Consumer 0.5.3.3, KEY, 200",
                summary("io-bound-flux"), summary("io-bound-parallel-consumer"), ">= 2.0"));
        results.add(Result.throughput("io-bound vs Spring", "Spring Kafka, 1 thread per partition", summary("io-bound-flux"),
                summary("io-bound-spring"), "report"));
        results.add(Result.throughput("batch-sink", "raw loop, one statement per poll, commitAsync after it",
                summary("batch-sink-flux"), summary("batch-sink-raw"), ">= 0.9"));
        results.add(Result.throughput("batch-sink vs per-record task", "Flux per-record task, one statement per record",
                summary("batch-sink-flux"), summary("batch-sink-flux-per-record"), ">= 10"));
        results.add(Result.throughput("batch-sink, 1 % failing", "raw loop, failures produced to a retry topic, flushed before the commit",
                summary("batch-sink-failing-flux"), summary("batch-sink-failing-raw"), ">= 0.9"));
        results.add(Result.throughput("batch-sink, 1 % failing, vs per-record task", "Flux per-record task",
                summary("batch-sink-failing-flux"), summary("batch-sink-failing-flux-per-record"), "report"));
        results.add(Result.throughput("key-order, 1 % of keys held", "the same task unordered",
                summary("key-order-flux"), summary("key-order-unordered-flux"), ">= 0.8"));
        results.add(Result.compare("key-order CPU per message", "the same task unordered", median("key-order-flux", "cpu_s_per_m"),
                median("key-order-unordered-flux", "cpu_s_per_m"), "CPU s/M", "report"));
        results.add(Result.single("key-order topic bytes per parked record", median("key-order-flux", "order_topic_bytes")
                / Math.max(1, median("key-order-flux", "parked")), "B", "report"));
        results.add(Result.compare("io-bound share of the 40k limit", "limit", median("io-bound-flux", "value"), 40_000, "msg/s",
                ">= 0.9"));
        for (int rate : sizes.latencyRates()) {
            String load = rate / 1000 + "k/s";
            for (String percentile : List.of("p50", "p99", "p999")) {
                String key = percentile + "_ms";
                double flux = median("latency-flux-" + rate, key);
                results.add(Result.compare("latency " + load + " " + percentile, "raw loop", flux, median("latency-raw-" + rate, key),
                        "ms", percentile.equals("p99") ? "<= raw + 5 ms" : "report"));
                results.add(Result.compare("latency " + load + " " + percentile + " vs Spring", "Spring", flux,
                        median("latency-spring-" + rate, key), "ms", "report"));
            }
        }
        results.add(Result.single("idle cpu (7 stages, 5 retries)", median("idle-flux", "value"), "% of a core", "<= 1"));
        results.add(Result.single("idle cpu: of which JIT compilation", median("idle-flux", "jit_pct"), "% of a core", "report"));
        results.add(Result.single("idle fetch requests", median("idle-flux", "fetches_per_s"), "requests/s", "report"));
        for (int processes : new int[] {1, 2, 4}) {
            results.add(Result.single("scale: " + processes + " process(es) × concurrency 16, 16 partitions",
                    median("scale-processes-" + processes, "value"), "msg/s", "report"));
        }
        for (int concurrency : new int[] {1, 4, 16, 64}) {
            results.add(Result.single("scale: 1 process × concurrency " + concurrency, median("scale-concurrency-" + concurrency, "value"),
                    "msg/s", "report"));
        }
        results.add(Result.single("retry-lateness-p50", median("lateness-flux", "p50_ms"), "ms", "report"));
        results.add(Result.single("retry-lateness-p99", median("lateness-flux", "p99_ms"), "ms", "<= 250"));
        results.add(Result.single("retry-early-count", max(List.of("lateness-flux"), "early"), "records", "== 0"));
        List<String> workers = List.of("consume-flux", "io-bound-flux");
        results.add(Result.single("memory-heap-peak", max(workers, "heap_peak_mib"), "MiB", "-Xmx256m, no OOM"));
        results.add(Result.single("gc-share", max(workers, "gc_share_pct"), "%", "< 5"));
        return results;
    }

    private Result.Summary summary(String run) {
        return new Result.Summary(median(run, "value"), median(run, "cpu_s_per_m"), median(run, "broker_cpu_s_per_m"));
    }

    private double median(String run, String key) {
        List<Measurement> measured = runs.get(run);
        if (measured == null || !measured.get(0).has(key)) {
            return Double.NaN;
        }
        double[] values = measured.stream().mapToDouble(m -> m.get(key)).sorted().toArray();
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private double max(List<String> names, String key) {
        return names.stream().filter(runs::containsKey).flatMap(run -> runs.get(run).stream()).mapToDouble(m -> m.get(key))
                .max().orElse(Double.NaN);
    }
}
