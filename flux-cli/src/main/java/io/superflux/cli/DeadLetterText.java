package io.superflux.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.superflux.task.Failure;

/** How {@code flux dlq show} writes a dead letter: a few lines of text, or one JSON object per line. */
final class DeadLetterText {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DeadLetterText() {
    }

    static String text(DeadLetter letter, Instant now) {
        StringBuilder text = new StringBuilder();
        text.append(letter.where()).append("  key ").append(letter.key() == null ? "(none)" : letter.key())
                .append("  dead-lettered ").append(letter.deadLetteredAt()).append(" (").append(age(letter, now)).append(" ago)");
        text.append("  origin ").append(letter.origin().topic()).append('-').append(letter.origin().partition())
                .append('@').append(letter.origin().offset());
        if (letter.replays() > 0) {
            text.append("  replayed ").append(letter.replays()).append('x');
        }
        text.append('\n');
        for (Failure failure : letter.failures()) {
            text.append("  stage ").append(failure.stage()).append("  ").append(failure.failedAt()).append("  ")
                    .append(failure.exceptionClass()).append(": ").append(failure.message()).append('\n');
        }
        return text.toString();
    }

    static String json(DeadLetter letter, Instant now) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("topic", letter.record().topic());
        object.put("partition", letter.partition());
        object.put("offset", letter.offset());
        object.put("key", letter.key());
        object.put("dead_lettered_at", letter.deadLetteredAt().toString());
        object.put("age_seconds", Duration.between(letter.deadLetteredAt(), now).toSeconds());
        Map<String, Object> origin = new LinkedHashMap<>();
        origin.put("topic", letter.origin().topic());
        origin.put("partition", letter.origin().partition());
        origin.put("offset", letter.origin().offset());
        origin.put("timestamp", Instant.ofEpochMilli(letter.origin().timestamp()).toString());
        object.put("origin", origin);
        object.put("exception", letter.exceptionClass());
        object.put("message", letter.message());
        List<Map<String, Object>> failures = new ArrayList<>();
        for (Failure failure : letter.failures()) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("stage", failure.stage());
            line.put("failed_at", failure.failedAt().toString());
            line.put("exception", failure.exceptionClass());
            line.put("message", failure.message());
            failures.add(line);
        }
        object.put("failures", failures);
        object.put("replays", letter.replays());
        try {
            return JSON.writeValueAsString(object);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a dead letter as JSON", e);
        }
    }

    private static String age(DeadLetter letter, Instant now) {
        long seconds = Math.max(0, Duration.between(letter.deadLetteredAt(), now).toSeconds());
        if (seconds < 120) {
            return seconds + " s";
        }
        if (seconds < 7_200) {
            return seconds / 60 + " min";
        }
        if (seconds < 172_800) {
            return seconds / 3_600 + " h";
        }
        return seconds / 86_400 + " d";
    }
}
