package io.superflux.bench;

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
            case "produce-flux" -> ProduceRuns.flux(bootstrap, topic, count);
            case "produce-raw" -> ProduceRuns.raw(bootstrap, topic, count);
            case "consume-flux" -> ConsumeRuns.flux(bootstrap, topic, group, count);
            case "consume-raw" -> ConsumeRuns.raw(bootstrap, topic, group, count);
            case "consume-spring" -> ConsumeRuns.spring(bootstrap, topic, group, count, false);
            case "consume-spring-default" -> ConsumeRuns.spring(bootstrap, topic, group, count, true);
            case "forward-flux" -> ForwardRuns.flux(bootstrap, topic, group, count);
            case "forward-raw" -> ForwardRuns.raw(bootstrap, topic, group, extra, count);
            case "io-bound-flux" -> IoBoundRuns.flux(bootstrap, topic, group, count);
            case "io-bound-spring" -> IoBoundRuns.spring(bootstrap, topic, group, count, Integer.parseInt(extra));
            case "lateness-flux" -> LatenessRuns.flux(bootstrap, topic, group, count, Long.parseLong(extra));
            default -> throw new IllegalArgumentException("unknown run " + run);
        };
        System.out.println(result.line());
        System.out.flush();
        System.exit(0);
    }
}
