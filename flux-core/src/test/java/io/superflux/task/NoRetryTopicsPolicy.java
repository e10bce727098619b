package io.superflux.task;

import java.util.Map;

import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.server.policy.CreateTopicPolicy;

/** A broker-side policy (create.topic.policy.class.name) that refuses to create retry and dead-letter topics. */
public final class NoRetryTopicsPolicy implements CreateTopicPolicy {
    @Override
    public void validate(RequestMetadata request) {
        if (request.topic().contains("-try-") || request.topic().endsWith("-dlq")) {
            throw new PolicyViolationException("retry topics are created by the platform team");
        }
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }

    @Override
    public void close() {
    }
}
