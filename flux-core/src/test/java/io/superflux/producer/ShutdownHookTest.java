package io.superflux.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;

/** A JVM that ends without flushing still delivers every message: the shutdown hook flushes. */
@ExtendWith(EmbeddedKafkaExtension.class)
class ShutdownHookTest {

    @Test
    void theJvmShutdownHookDeliversBufferedMessages(EmbeddedKafka kafka) throws Exception {
        String topic = kafka.createUniqueTopic("hook", 2);
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process child = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                ShutdownHookMain.class.getName(), kafka.bootstrapServers(), topic, "2000"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .start();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child JVM ended");
        assertEquals(0, child.exitValue());
        assertEquals(2000, kafka.readAll(topic, 2000, Duration.ofSeconds(30)).size());
    }
}
