package io.superflux.testkit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that starts one {@link EmbeddedKafka} broker per test class (shared by its
 * nested classes) and stops it after the class's last test. Tests, lifecycle methods and
 * constructors receive it as a parameter:
 *
 * <pre>{@code
 * @ExtendWith(EmbeddedKafkaExtension.class)
 * class AwesomeTaskTest {
 *     @Test
 *     void handlesMessages(EmbeddedKafka kafka) {
 *         kafka.createTopic("awesome", 3);
 *         ... kafka.bootstrapServers() ...
 *     }
 * }
 * }</pre>
 *
 * <p>Tests in one class share the broker, so each should use its own topics and groups
 * ({@link EmbeddedKafka#createUniqueTopic(String, int)}).
 */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(EmbeddedKafkaExtension.class);
    private static final String KEY = "broker";

    @Override
    public void beforeAll(ExtensionContext context) {
        broker(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedKafka.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return broker(context);
    }

    /**
     * The broker of the outermost test class that uses this extension. The store closes it (it is
     * {@link AutoCloseable}) when that class's context ends.
     */
    private static EmbeddedKafka broker(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        EmbeddedKafka existing = store.get(KEY, EmbeddedKafka.class);
        if (existing != null) {
            return existing;
        }
        ExtensionContext classContext = context;
        while (classContext.getParent().isPresent() && classContext.getParent().get().getTestClass().isPresent()) {
            classContext = classContext.getParent().get();
        }
        return classContext.getStore(NAMESPACE)
                .getOrComputeIfAbsent(KEY, key -> EmbeddedKafka.start(), EmbeddedKafka.class);
    }
}
