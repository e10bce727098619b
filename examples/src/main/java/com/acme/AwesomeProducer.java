package com.acme;

import io.superflux.producer.Producer;
import io.superflux.producer.ProducerSpec;

/** The producer of the {@code awesome} topic: {@code new AwesomeProducer().produce("MESSAGE", "KEY")}. */
public final class AwesomeProducer extends Producer<String> {
    public AwesomeProducer() {
        super(ProducerSpec.topic("awesome"));
    }
}
