package io.superflux.producer;

import java.time.Duration;

import io.superflux.SuperFlux;

/**
 * Run in a child JVM by {@link ShutdownHookTest}: produces with a delivery interval far longer
 * than the JVM lives and returns from main without flushing; only the shutdown hook can deliver.
 */
public final class ShutdownHookMain {
    private ShutdownHookMain() {
    }

    public static void main(String[] args) {
        String brokers = args[0];
        String topic = args[1];
        int count = Integer.parseInt(args[2]);
        SuperFlux.configure(c -> c.brokers(brokers).deliveryInterval(Duration.ofMinutes(10)));
        TopicProducer producer = new TopicProducer(topic);
        for (int i = 0; i < count; i++) {
            producer.produce("hook-" + i, "k" + i);
        }
    }
}
