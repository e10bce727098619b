package io.superflux.bench;

import io.superflux.bench.measure.Measurement;

/**
 * One measured run in a JVM of its own (started by {@link BenchMain} with {@code -Xmx256m}):
 * {@code RunMain <run> <bootstrap> <topic> <group> <count> [extra]}. Prints {@code RESULT …}.
 */
public final class RunMain {
    private RunMain() {
    }

    public static void main(String[] args) throws Exception {
        String run = args[0];
        String bootstrap = args[1];
        String topic = args[2];
        String group = args[3];
        int count = Integer.parseInt(args[4]);
        String extra = args.length > 5 ? args[5] : "";
        Measurement result = switch (run) {
            case "produce-flux" -> ProduceRuns.flux(bootstrap, topic, null);
            case "produce-flux-tuned" -> ProduceRuns.flux(bootstrap, topic, ProducerTuning.parse(extra));
            case "produce-raw-sweep", "produce-raw-tuned" ->
                    ProduceRuns.raw(topic, Kafka.producer(bootstrap, ProducerTuning.parse(extra)));
            case "produce-raw-default" -> ProduceRuns.raw(topic, Kafka.defaultProducer(bootstrap));
            case "consume-flux" -> ConsumeRuns.flux(bootstrap, topic, group, count);
            case "consume-raw" -> ConsumeRuns.raw(bootstrap, topic, group, count, false);
            case "consume-raw-per-poll" -> ConsumeRuns.raw(bootstrap, topic, group, count, true);
            case "consume-spring" -> ConsumeRuns.spring(bootstrap, topic, group, count, false);
            case "consume-spring-default" -> ConsumeRuns.spring(bootstrap, topic, group, count, true);
            case "forward-flux" -> ForwardRuns.flux(bootstrap, topic, group, count, false);
            case "forward-eos-flux" -> ForwardRuns.flux(bootstrap, topic, group, count, true);
            case "forward-raw" -> {
                String[] targetAndTuning = extra.split(",");
                yield ForwardRuns.raw(bootstrap, topic, group, targetAndTuning[0], count, ProducerTuning.parse(targetAndTuning[1]));
            }
            case "io-bound-flux" -> IoBoundRuns.flux(bootstrap, topic, group, count, IoBoundRuns.CONCURRENCY);
            case "io-bound-spring" -> IoBoundRuns.spring(bootstrap, topic, group, count, Integer.parseInt(extra));
            case "scale-flux" -> IoBoundRuns.flux(bootstrap, topic, group, count, Integer.parseInt(extra));
            case "latency-flux" -> LatencyRuns.flux(bootstrap, topic, group, Integer.parseInt(extra));
            case "latency-raw" -> LatencyRuns.raw(bootstrap, topic, group, Integer.parseInt(extra));
            case "latency-spring" -> LatencyRuns.spring(bootstrap, topic, group, Integer.parseInt(extra));
            case "lateness-flux" -> LatenessRuns.flux(bootstrap, topic, group, count, Long.parseLong(extra));
            case "idle-flux" -> IdleRuns.flux(bootstrap, topic, group, count);
            case "key-order-flux" -> KeyOrderRuns.flux(bootstrap, topic, group, count, true);
            case "key-order-unordered-flux" -> KeyOrderRuns.flux(bootstrap, topic, group, count, false);
            case "batch-sink-flux" -> BatchSinkRuns.flux(bootstrap, topic, group, count, true, false);
            case "batch-sink-flux-per-record" -> BatchSinkRuns.flux(bootstrap, topic, group, count, false, false);
            case "batch-sink-raw" -> BatchSinkRuns.raw(bootstrap, topic, group, count, null);
            case "batch-sink-failing-flux" -> BatchSinkRuns.flux(bootstrap, topic, group, count, true, true);
            case "batch-sink-failing-flux-per-record" -> BatchSinkRuns.flux(bootstrap, topic, group, count, false, true);
            case "batch-sink-failing-raw" -> BatchSinkRuns.raw(bootstrap, topic, group, count, extra);
            default -> throw new IllegalArgumentException("unknown run " + run);
        };
        System.out.println(result.line());
        System.out.flush();
        System.exit(0);
    }
}
