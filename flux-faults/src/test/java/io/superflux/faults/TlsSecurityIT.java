package io.superflux.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.superflux.testkit.FluxWorkerProcess;
import io.superflux.testkit.KafkaCluster;

/**
 * Flux against a broker that only speaks TLS: a client that trusts the broker's certificate works
 * end to end; one that does not fails fast with one line; the trust store's password is never
 * printed, even at DEBUG.
 */
class TlsSecurityIT {
    private static KafkaCluster kafka;

    @BeforeAll
    static void startBroker() {
        kafka = KafkaCluster.builder().security(KafkaCluster.Security.TLS).start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void aTrustingClientWorksEndToEndAndTheStorePasswordIsNeverPrinted() throws Exception {
        try (FaultRun run = new FaultRun(Brokers.of(kafka), "tls-ok", 2, 1, Map.of())) {
            run.clientSettings(kafka.clientProperties());
            String create = SaslSecurityIT.expectExit(0, run.run(null, "topics", "create", "--load",
                    FaultRun.TASK_CLASSES.toString(), FaultTask.class.getName()));
            run.produceWithFlux(0, 200, FaultRun::mixed);
            FluxWorkerProcess worker = run.start("all", Map.of("JAVA_TOOL_OPTIONS", SaslSecurityIT.debugLogging()));
            run.awaitCompleted(200, Duration.ofMinutes(2));
            assertEquals(List.of(0), run.stopAll());
            String describe = SaslSecurityIT.expectExit(0, run.run(null, "topics", "describe", "--load",
                    FaultRun.TASK_CLASSES.toString(), FaultTask.class.getName()));

            assertEquals(0, run.figures().lost(), run.figures().toString());
            for (String output : List.of(create, worker.output(), describe)) {
                assertFalse(output.contains(kafka.certificates().password()), "the store password was printed:\n" + output);
            }
        }
    }

    @Test
    void anUntrustedCertificateFailsFastWithOneLine() throws Exception {
        try (FaultRun run = new FaultRun(Brokers.of(kafka), "tls-untrusted", 1, 1, Map.of())) {
            Map<String, Object> untrusting = new HashMap<>(kafka.clientProperties());
            untrusting.put("ssl.truststore.location", kafka.certificates().untrustedTrustStore().toString());
            run.clientSettings(untrusting).env("FLUX_STARTUP_TIMEOUT", "20s");
            long started = System.nanoTime();
            FluxWorkerProcess worker = run.start("0");
            assertEquals(1, worker.waitFor(Duration.ofSeconds(60)), worker.output());
            double seconds = (System.nanoTime() - started) / 1e9;
            assertTrue(seconds < 20 + 10, "failed after " + seconds + " s");
            String error = SaslSecurityIT.errorLine(worker.output());
            assertTrue(error.contains("'default'") && error.contains("SSL handshake failed"), error);
            assertFalse(worker.output().contains(kafka.certificates().password()), worker.output());
        }
    }
}
