package io.superflux.producer;

/** A topic-specific producer as users write them; the topic is a parameter so each test has its own. */
final class TopicProducer extends Producer<String> {
    TopicProducer(String topic) {
        super(ProducerSpec.topic(topic));
    }

    TopicProducer(String topic, String cluster) {
        super(ProducerSpec.topic(topic).cluster(cluster));
    }
}
