package io.superflux.internal.topics;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.TopicConfig;

import io.superflux.TopicSettings;
import io.superflux.retry.Backoff;
import io.superflux.retry.Stage;
import io.superflux.retry.StagePlan;

/**
 * What each retry and dead-letter topic of a task needs, from its backoff and
 * {@code flux.topics}: a retention that outlasts the stage's longest wait (a record held for its
 * due time must never be deleted by retention), the replication settings, and the application's
 * topic properties. A pure computation; {@link TopicPlanner} compares it with the cluster.
 */
public final class StageTopicRequirements {
    /** One stage topic's needs. */
    public record Requirement(Stage stage, Duration longestWait, Duration retention, Map<String, String> configs) {
        /** Retention below this can delete a record its stage has not read: the stage's longest wait. */
        Duration minimumSafeRetention() {
            return longestWait;
        }

        /** Retention below this has less margin than {@code flux.topics.retention-safety-factor} asks for. */
        Duration wantedRetention(double safetyFactor) {
            return multiply(longestWait, safetyFactor);
        }
    }

    private StageTopicRequirements() {
    }

    /** The needs of stages 1..N+1 of {@code plan}; waits are scaled by {@code timeScale}. */
    public static List<Requirement> of(StagePlan plan, Backoff backoff, double timeScale, TopicSettings settings) {
        return plan.stages().stream().filter(stage -> stage.kind() != Stage.Kind.MAIN)
                .map(stage -> requirement(stage, backoff, timeScale, settings)).toList();
    }

    private static Requirement requirement(Stage stage, Backoff backoff, double timeScale, TopicSettings settings) {
        Duration longestWait = stage.kind() == Stage.Kind.RETRY
                ? multiply(backoff.longestDelayBefore(stage.number()), timeScale) : Duration.ZERO;
        Duration retention = stage.kind() == Stage.Kind.RETRY
                ? max(settings.minRetention(), multiply(longestWait, settings.retentionSafetyFactor()))
                : settings.deadLetterRetention();
        Map<String, String> configs = new LinkedHashMap<>(settings.properties());
        String asked = configs.get(TopicConfig.RETENTION_MS_CONFIG);
        long askedMs = parseOr(asked, 0);
        if (askedMs != -1 && askedMs < retention.toMillis()) {
            configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()));
        } else {
            retention = askedMs == -1 ? Duration.ofMillis(Long.MAX_VALUE) : Duration.ofMillis(askedMs);
        }
        settings.minInsyncReplicas().ifPresent(n -> configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(n)));
        return new Requirement(stage, longestWait, retention, configs);
    }

    private static long parseOr(String text, long otherwise) {
        try {
            return text == null ? otherwise : Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static Duration multiply(Duration duration, double factor) {
        double millis = duration.toMillis() * factor;
        return millis >= Long.MAX_VALUE ? Duration.ofMillis(Long.MAX_VALUE) : Duration.ofMillis((long) Math.ceil(millis));
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
