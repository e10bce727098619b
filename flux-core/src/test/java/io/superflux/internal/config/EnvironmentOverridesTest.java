package io.superflux.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.ConfigFactory;

/** FLUX_ variables that are no setting: the launcher's and the deployment files' own pass in silence, others are warned of. */
class EnvironmentOverridesTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger(EnvironmentOverrides.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void capture() {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logged);
    }

    @Test
    void theLaunchersAndTheSystemdUnitsVariablesAreNotWarnedOf() {
        EnvironmentOverrides.toConfig(Map.of("FLUX_JAVA_OPTS", "-Xmx1g", "FLUX_HOME", "/opt/flux", "FLUX_LOG_LEVEL", "DEBUG",
                "FLUX_LOG_FORMAT", "json", "FLUX_TASK", "com.acme.AwesomeTask", "FLUX_STAGES", "0",
                "FLUX_APP", "/opt/acme/app.jar", "FLUX_JAR", "/opt/flux/flux.jar"), ConfigFactory.defaultReference(), ConfigFactory.empty());
        assertEquals(List.of(), logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
    }

    @Test
    void anyOtherVariableThatIsNoSettingIsWarnedOf() {
        EnvironmentOverrides.toConfig(Map.of("FLUX_COLOUR", "blue"), ConfigFactory.defaultReference(), ConfigFactory.empty());
        assertEquals(List.of("Ignoring environment variable FLUX_COLOUR: it is not a Flux setting"),
                logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
    }
}
