package io.superflux.internal.stage.forward;

/**
 * A forward that no retry can cure (the target topic refuses the record, or this client may not
 * write to it): the stage stops with this error so an operator and a supervisor see it.
 */
public final class ForwardRefusedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public ForwardRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
