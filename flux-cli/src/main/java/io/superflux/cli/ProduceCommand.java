package io.superflux.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

import io.superflux.SuperFlux;
import io.superflux.producer.Producer;
import io.superflux.producer.ProducerSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code flux produce}: one message, or one per line of standard input. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Produces VALUE, or one message per line of standard input, to --topic T or to the topic",
                "(and cluster) of a producer class. For scripts and smoke tests."})
final class ProduceCommand implements Callable<Integer> {
    @Mixin
    private ApplicationOptions app;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "The topic (instead of a producer class).")
    private String topic;

    @Option(names = "--key", paramLabel = "KEY", description = "The partition key of every message.")
    private String key;

    @Option(names = "--header", paramLabel = "NAME=VALUE", description = "A header of every message (repeatable).")
    private List<String> headers = new ArrayList<>();

    @Parameters(paramLabel = "[ProducerClass] [VALUE]", arity = "0..2",
            description = "A producer class (without --topic), then the value; without a value, stdin is read.")
    private List<String> arguments = new ArrayList<>();

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Map<String, String> headerMap = headers();
        List<String> rest = new ArrayList<>(arguments);
        ProducerSpec<byte[]> target;
        if (topic != null) {
            if (rest.size() > 1) {
                throw new ParameterException(spec.commandLine(), "With --topic give at most one VALUE, not " + rest);
            }
            try {
                target = ProducerSpec.topic(topic).bytes();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--topic: " + e.getMessage());
            }
        } else {
            if (rest.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "Give --topic TOPIC or a producer class");
            }
            Producer<?> producer = ClassResolver.producer(rest.remove(0), app, spec);
            target = ProducerSpec.topic(producer.topic()).cluster(producer.cluster()).bytes();
        }
        app.configure(spec, c -> { });
        Producer<byte[]> producer = Producer.of(target);
        AtomicLong delivered = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long sent = 0;
        try {
            if (!rest.isEmpty()) {
                send(producer, rest.get(0), headerMap, delivered, failed);
                sent = 1;
            } else {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    send(producer, line, headerMap, delivered, failed);
                    sent++;
                }
            }
        } finally {
            SuperFlux.shutdown(); // delivers everything before the counts are read
        }
        spec.commandLine().getOut().println("Produced " + delivered.get() + " of " + sent + " message(s) to " + target.topic()
                + " (cluster " + target.cluster() + ")");
        if (failed.get() > 0) {
            spec.commandLine().getErr().println("flux: error: " + failed.get() + " message(s) were not delivered (see the log)");
            return FluxCli.RUNTIME_ERROR;
        }
        return 0;
    }

    private void send(Producer<byte[]> producer, String value, Map<String, String> headerMap, AtomicLong delivered,
                      AtomicLong failed) {
        producer.produce(value.getBytes(StandardCharsets.UTF_8), key, headerMap).whenComplete((delivery, error) -> {
            (error == null ? delivered : failed).incrementAndGet();
        });
    }

    private Map<String, String> headers() {
        Map<String, String> map = new LinkedHashMap<>();
        for (String header : headers) {
            int equals = header.indexOf('=');
            if (equals <= 0) {
                throw new ParameterException(spec.commandLine(), "--header '" + header + "': write NAME=VALUE");
            }
            map.put(header.substring(0, equals), header.substring(equals + 1));
        }
        return map;
    }
}
