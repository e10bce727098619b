package io.superflux.testing;

/** Failures a test makes a task, deserializer or hook throw: the awkward kinds real code produces. */
public final class Failures {
    private Failures() {
    }

    /** An exception whose message cannot even be read: {@code getMessage()} throws. */
    public static final class UnprintableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @Override
        public String getMessage() {
            throw new IllegalStateException("getMessage() fails too");
        }
    }

    /** Throws {@code error} whatever its type, as Kotlin or Lombok's @SneakyThrows do with checked exceptions. */
    @SuppressWarnings("unchecked")
    public static <E extends Throwable> E sneaky(Throwable error) throws E {
        throw (E) error;
    }

    /** Recurses until the stack overflows: a real StackOverflowError. */
    public static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }
}
