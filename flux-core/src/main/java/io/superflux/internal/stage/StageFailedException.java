package io.superflux.internal.stage;

import java.util.Optional;

import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnreleasedInstanceIdException;
import io.superflux.internal.headers.SafeText;
import io.superflux.internal.stage.forward.ForwardRefusedException;

/**
 * Why a stage stopped, in one line an operator can act on: the stage, the error (its simple class
 * name and message) and, for the errors an operator fixes (permissions, credentials), what to fix.
 * The original error is the cause.
 */
public final class StageFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StageFailedException(String stage, String taskName, Throwable error, Optional<String> groupInstanceId) {
        super(stage + " of " + taskName + " stopped: " + error.getClass().getSimpleName() + ": " + SafeText.message(error)
                + hint(error, groupInstanceId), error);
    }

    /** A stage stopped for a reason {@code message} says in full (the stage and the task included). */
    public StageFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether an operator fixes it (permissions, credentials, a topic that refuses records): no stack trace helps. */
    public static boolean isOperatorsToFix(Throwable error) {
        return error instanceof ForwardRefusedException || error instanceof AuthorizationException
                || error instanceof AuthenticationException || isInstanceIdConflict(error);
    }

    private static boolean isInstanceIdConflict(Throwable error) {
        return error instanceof FencedInstanceIdException || error instanceof UnreleasedInstanceIdException;
    }

    private static String hint(Throwable error, Optional<String> groupInstanceId) {
        if (isInstanceIdConflict(error)) {
            return "; another process uses the same instance id (group.instance.id '" + groupInstanceId.orElse("?")
                    + "'): give every process its own flux.consumer.instance-id (--instance-id, FLUX_INSTANCE_ID)";
        }
        if (error instanceof GroupAuthorizationException group) {
            return "; grant this client's principal READ on group " + group.groupId();
        }
        if (error instanceof TopicAuthorizationException) {
            return "; grant this client's principal READ and DESCRIBE on the topic";
        }
        if (error instanceof AuthenticationException) {
            return "; check the cluster's security settings (flux.kafka.properties)";
        }
        return "";
    }
}
