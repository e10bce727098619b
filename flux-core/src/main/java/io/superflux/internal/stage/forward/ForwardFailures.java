package io.superflux.internal.stage.forward;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.superflux.retry.Stage;

/**
 * How a failed forward is sorted, and what is said about it: too large (sent again with its
 * failure headers trimmed), permanent (no retry cures it: too large even so, not authorized, an
 * invalid topic — the stage stops with what to fix), or anything else (sent again later).
 */
public final class ForwardFailures {
    private static final Logger log = LoggerFactory.getLogger(ForwardTracker.class);

    private final Stage stage;

    ForwardFailures(Stage stage) {
        this.stage = stage;
    }

    static boolean isTooLarge(Exception error) {
        return error instanceof RecordTooLargeException || error instanceof RecordBatchTooLargeException;
    }

    /** Errors no retry cures: the stage stops instead of retrying them forever. */
    public static boolean isPermanent(Exception error) {
        return isTooLarge(error) || error instanceof AuthorizationException || error instanceof AuthenticationException
                || error instanceof InvalidTopicException || error instanceof SerializationException
                || error instanceof UnsupportedVersionException;
    }

    void logTrimming(TopicPartition source, long offset, ProducerRecord<byte[], byte[]> record, Exception error) {
        log.warn("{}: forward of {}-{}@{} to {} is too large with its failure headers ({} bytes: {}); sending it with"
                + " them trimmed", stage, source.topic(), source.partition(), offset, record.topic(), sizeOf(record),
                error.getMessage());
    }

    /** Why the stage stops, and what to fix. */
    String refusal(TopicPartition source, long offset, ProducerRecord<byte[], byte[]> record, boolean trimmed, Exception error) {
        String target = record.topic();
        String hint;
        if (isTooLarge(error)) {
            hint = "the record is " + sizeOf(record) + " bytes " + (trimmed
                    ? "even with its failure headers trimmed" : "with its failure headers (exactly-once does not trim them)") + ": raise"
                    + " max.message.bytes of topic " + target + " (and, above 1 MiB, max.request.size under"
                    + " flux.producer.properties)";
        } else if (error instanceof AuthorizationException) {
            hint = "grant this client's principal WRITE (and DESCRIBE) on topic " + target;
        } else if (error instanceof AuthenticationException) {
            hint = "check the cluster's credentials";
        } else {
            hint = "retrying cannot cure this error";
        }
        return stage + " cannot forward " + source.topic() + "-" + source.partition() + "@" + offset + " to topic " + target
                + " (" + error.getClass().getSimpleName() + ": " + error.getMessage() + "): " + hint + ". Nothing past the"
                + " record was committed; once this is fixed, a restart forwards it";
    }

    private static int sizeOf(ProducerRecord<byte[], byte[]> record) {
        int size = (record.key() == null ? 0 : record.key().length) + (record.value() == null ? 0 : record.value().length);
        for (Header header : record.headers()) {
            size += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }
}
