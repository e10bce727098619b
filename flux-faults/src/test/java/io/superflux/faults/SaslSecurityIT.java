package io.superflux.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.superflux.testkit.FluxWorkerProcess;
import io.superflux.testkit.KafkaCluster;

/**
 * Flux against a broker that authenticates with SASL/SCRAM-SHA-256 and authorizes with ACLs: the
 * right credentials work end to end; wrong ones fail fast with one line; no secret is ever
 * printed, even at DEBUG; missing permissions stop the stage with a clear error and lose nothing.
 */
class SaslSecurityIT {
    private static final String APP_PASSWORD = "app-Secret-7f3a";
    private static final String NO_WRITE_PASSWORD = "nowrite-Secret-91c2";
    private static final String NO_READ_PASSWORD = "noread-Secret-5d0e";
    private static KafkaCluster kafka;

    @BeforeAll
    static void startBrokers() {
        kafka = KafkaCluster.builder().security(KafkaCluster.Security.SASL_SCRAM).acls().user("app", APP_PASSWORD)
                .user("nowrite", NO_WRITE_PASSWORD).user("noread", NO_READ_PASSWORD).start();
    }

    @AfterAll
    static void stopBrokers() {
        kafka.close();
    }

    @Test
    void theRightCredentialsWorkEndToEndAndNoSecretIsEverPrinted() throws Exception {
        try (FaultRun run = new FaultRun(Brokers.of(kafka), "sasl-ok", 2, 1, Map.of())) {
            allow("app", run.topic(), "faults", AclOperation.ALL);
            run.clientSettings(kafka.clientProperties("app", APP_PASSWORD));
            List<String> outputs = new ArrayList<>();

            outputs.add(expectExit(0, run.run(null, "topics", "create", "--load", FaultRun.TASK_CLASSES.toString(),
                    FaultTask.class.getName())));
            run.produceWithFlux(0, 200, FaultRun::mixed);
            FluxWorkerProcess worker = run.start("all", Map.of("JAVA_TOOL_OPTIONS", debugLogging()));
            run.awaitCompleted(200, Duration.ofMinutes(2));
            outputs.add(expectExit(0, run.run(null, "dlq", "replay", "--load", FaultRun.TASK_CLASSES.toString(),
                    FaultTask.class.getName())));
            run.awaitCalls(0, 200 + 2, Duration.ofMinutes(1)); // the two dead letters (7 and 107) are back in stage 0
            String describe = expectExit(0, run.run(null, "topics", "describe", "--load", FaultRun.TASK_CLASSES.toString(),
                    FaultTask.class.getName()));
            assertTrue(describe.contains(run.stageTopic(1)), describe);
            outputs.add(describe);
            outputs.add(expectExit(0, run.run(null, "version")));
            assertEquals(List.of(0), run.stopAll());
            outputs.add(worker.output());

            Figures figures = run.figures();
            assertEquals(0, figures.lost(), figures.toString());
            assertTrue(worker.output().contains("DEBUG"), "the worker logged at DEBUG");
            for (String output : outputs) {
                assertNoSecret(output);
            }
        }
    }

    @Test
    void aWrongPasswordOrAnUnknownUserFailsFastWithOneLine() throws Exception {
        try (FaultRun run = new FaultRun(Brokers.of(kafka), "sasl-bad", 1, 1, Map.of())) {
            run.env("FLUX_STARTUP_TIMEOUT", "20s");
            for (Map<String, Object> credentials : List.of(kafka.clientProperties("app", "wrong-Secret-0000"),
                    kafka.clientProperties("nobody", "nobody-Secret-1111"))) {
                run.clientSettings(credentials);
                long started = System.nanoTime();
                FluxWorkerProcess worker = run.start("0", Map.of("JAVA_TOOL_OPTIONS", debugLogging()));
                int exit = worker.waitFor(Duration.ofSeconds(60));
                double seconds = (System.nanoTime() - started) / 1e9;
                String output = worker.output();
                assertEquals(1, exit, output);
                assertTrue(seconds < 20 + 10, "failed after " + seconds + " s");
                String error = errorLine(output);
                assertTrue(error.contains("'default'") && error.contains("uthentication"), error);
                assertNoSecret(output);
                assertFalse(output.contains("wrong-Secret-0000") || output.contains("nobody-Secret-1111"), output);
            }
        }
    }

    @Test
    void noWriteOnTheRetryTopicStopsTheStageClearlyAndLosesNothing() throws Exception {
        try (FaultRun run = new FaultRun(Brokers.of(kafka), "sasl-nowrite", 2, 1, Map.of())) {
            run.clientSettings(kafka.clientProperties());
            assertEquals(0, run.command("topics", "create"));
            allow("nowrite", run.topic(), "faults", AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS);
            allowTopic("nowrite", run.topic(), PatternType.LITERAL, AclOperation.WRITE);
            run.clientSettings(kafka.clientProperties("nowrite", NO_WRITE_PASSWORD));
            run.produce(0, 300, id -> id == 150 ? "retry" : "ok");

            FluxWorkerProcess main = run.start("0");
            assertEquals(1, main.waitFor(Duration.ofMinutes(1)), main.output());
            String error = errorLine(main.output());
            assertTrue(error.contains("WRITE") && error.contains("on topic " + run.stageTopic(1)), error);

            allowTopic("nowrite", run.topic(), PatternType.PREFIXED, AclOperation.WRITE);
            run.start("0");
            run.start("1-3");
            run.awaitCompleted(300, Duration.ofMinutes(2));
            assertEquals(List.of(0, 0), run.stopAll());
            Figures figures = run.figures();
            assertEquals(0, figures.lost(), figures.toString());
            assertEquals(0, figures.early(), figures.toString());
        }
    }

    @Test
    void noReadOnTheGroupStopsTheStageClearly() throws Exception {
        try (FaultRun run = new FaultRun(Brokers.of(kafka), "sasl-noread", 1, 1, Map.of())) {
            run.clientSettings(kafka.clientProperties());
            assertEquals(0, run.command("topics", "create"));
            allowTopic("noread", run.topic(), PatternType.PREFIXED, AclOperation.ALL);
            run.clientSettings(kafka.clientProperties("noread", NO_READ_PASSWORD));
            run.produce(0, 10, id -> "ok");

            FluxWorkerProcess main = run.start("0");
            assertEquals(1, main.waitFor(Duration.ofMinutes(1)), main.output());
            String error = errorLine(main.output());
            assertTrue(error.contains("stage 0") && error.contains("grant this client's principal READ on group faults"), error);
            assertEquals(0, run.completed());
        }
    }

    /** Allows {@code operations} on every topic starting with {@code topicPrefix} and every group starting with {@code groupPrefix}. */
    private static void allow(String user, String topicPrefix, String groupPrefix, AclOperation... operations) throws Exception {
        allowTopic(user, topicPrefix, PatternType.PREFIXED, operations);
        List<AclBinding> bindings = new ArrayList<>();
        for (AclOperation operation : operations) {
            bindings.add(new AclBinding(new ResourcePattern(ResourceType.GROUP, groupPrefix, PatternType.PREFIXED), entry(user, operation)));
        }
        kafka.admin().createAcls(bindings).all().get(30, TimeUnit.SECONDS);
    }

    private static void allowTopic(String user, String topic, PatternType pattern, AclOperation... operations) throws Exception {
        List<AclBinding> bindings = new ArrayList<>();
        for (AclOperation operation : operations) {
            bindings.add(new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, pattern), entry(user, operation)));
        }
        kafka.admin().createAcls(bindings).all().get(30, TimeUnit.SECONDS);
        Thread.sleep(1_000); // ACLs reach the broker's authorizer through the metadata log
    }

    private static AccessControlEntry entry(String user, AclOperation operation) {
        return new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW);
    }

    /** A JVM option that makes flux.jar log everything, kafka-clients too, at DEBUG. */
    static String debugLogging() {
        return "-Dlogback.configurationFile=" + FaultRun.TASK_CLASSES.resolve("logback-debug.xml");
    }

    static String expectExit(int code, FluxWorkerProcess process) {
        assertEquals(code, process.exitCode(), process.output());
        return process.output();
    }

    /** The one {@code flux:} line of a failed command; fails unless there is exactly one. */
    static String errorLine(String output) {
        List<String> lines = output.lines().filter(line -> line.startsWith("flux:")).toList();
        assertEquals(1, lines.size(), "one flux: line\n" + output);
        return lines.get(0);
    }

    private static void assertNoSecret(String output) {
        for (String secret : List.of(APP_PASSWORD, NO_WRITE_PASSWORD, NO_READ_PASSWORD, KafkaCluster.ADMIN_PASSWORD)) {
            assertFalse(output.contains(secret), "a password was printed:\n" + output);
        }
        assertFalse(output.contains("ScramLoginModule required"), "the JAAS config was printed:\n" + output);
    }
}
