package io.superflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.superflux.testkit.EmbeddedKafka;
import io.superflux.testkit.EmbeddedKafkaExtension;
import io.superflux.testkit.FluxWorkerProcess;

/**
 * The HTTP endpoint of a running {@code flux process}, over real HTTP: readiness around the group
 * join and the shutdown, liveness around a hanging call, the counters and gauges after a known
 * workload, and the endpoint's own bad inputs.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class OperationsIT {
    private static final String LOAD = FluxProcess.TEST_CLASSES.toString();
    private static final String TASK = "io.superflux.cli.testapp.RecordingTask";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void metricsAndProbesOfARunningWorker(EmbeddedKafka kafka) throws Exception {
        String topic = kafka.createUniqueTopic("ops", 2);
        kafka.createTopic(topic + "-sink", 2);
        int port = freePort();
        Map<String, String> env = Map.of("FLUX_KAFKA_BROKERS", kafka.bootstrapServers(), "FLUX_RETRY_TIME_SCALE", "0.001",
                "FLUX_CONSUMER_COMMIT_INTERVAL", "200ms", "FLUX_HTTP_PORT", Integer.toString(port),
                "FLUX_HEALTH_CALL_TIMEOUT", "1s");
        FluxWorkerProcess worker = FluxProcess.start(env, Map.of("cli.test.topic", topic, "cli.test.hang-ms", "5000"), null,
                "process", "--load", LOAD, TASK);

        HttpResponse<String> first = awaitResponse(port, "/health/ready", worker);
        assertEquals(503, first.statusCode(), "not ready before the stages joined their groups: " + first.body());
        awaitStatus(port, "/health/ready", 200, worker);
        assertEquals(200, get(port, "/health/live").statusCode());

        // 10 handled in stage 0, 3 handled in stage 1 after one retry, 2 dead-lettered after two
        produce(kafka, topic, List.of("v-0", "v-1", "v-2", "v-3", "v-4", "v-5", "v-6", "v-7", "v-8", "v-9",
                "flaky-0", "flaky-1", "flaky-2", "poison-0", "poison-1"));
        awaitMetric(port, "flux_task_dead_letters_total", "3", 2, worker);
        MetricsScrape scrape = MetricsScrape.fetch(http, port);
        scrape.assertTextAgrees(get(port, "/metrics").body());
        assertEquals(10, scrape.sum("flux_task_handled_total", "stage", "0"));
        assertEquals(3, scrape.sum("flux_task_handled_total", "stage", "1"));
        assertEquals(5, scrape.sum("flux_task_failures_total", "stage", "0"));
        assertEquals(5, scrape.sum("flux_task_forwarded_total", "stage", "0"));
        assertEquals(2, scrape.sum("flux_task_forwarded_total", "stage", "1"));
        assertEquals(2, scrape.sum("flux_task_forwarded_total", "stage", "2"));
        for (String name : List.of("flux_stage_lag_records", "flux_stage_waiting_records", "flux_stage_due_lag_seconds",
                "flux_stage_in_flight_oldest_age_seconds", "flux_stage_paused_partitions", "flux_stage_assigned_partitions",
                "flux_stage_last_poll_age_seconds", "flux_stage_rebalances_total",
                "kafka_consumer_fetch_manager_records_consumed_total", "kafka_producer_record_send_total",
                "jvm_memory_used_bytes", "process_cpu_usage")) {
            assertTrue(scrape.has(name), name + " is exposed");
        }
        assertEquals(2, scrape.sum("flux_stage_assigned_partitions", "stage", "0"));
        // Every Flux meter the Grafana dashboard queries is one a worker exposes.
        com.fasterxml.jackson.databind.JsonNode dashboard = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(java.nio.file.Path.of("..", "deploy", "grafana", "flux-dashboard.json").toFile());
        java.util.Set<String> queried = new java.util.TreeSet<>();
        for (com.fasterxml.jackson.databind.JsonNode panel : dashboard.get("panels")) {
            for (com.fasterxml.jackson.databind.JsonNode target : panel.get("targets")) {
                java.util.regex.Matcher names = java.util.regex.Pattern.compile("flux_[a-z_]+").matcher(target.get("expr").asText());
                while (names.find()) {
                    queried.add(names.group());
                }
            }
        }
        for (String name : queried) {
            assertTrue(scrape.has(name), "the dashboard queries " + name
                    + ", which no worker exposes");
        }
        assertTrue(queried.size() >= 12, queried.toString());
        // The stage-0 lag gauge agrees with the broker: log end minus the group's committed offset.
        awaitMetric(port, "flux_stage_lag_records", "0", lagOfGroup(kafka, topic, "recorder"), worker);

        // A call that hangs past flux.health.call-timeout (1 s) makes /health/live 503 with the reason.
        produce(kafka, topic, List.of("hang-0"));
        HttpResponse<String> stuck = awaitStatus(port, "/health/live", 503, worker);
        assertTrue(stuck.body().contains("\"problem\":\"call running for") && stuck.body().contains("\"partition\":")
                && stuck.body().contains("\"offset\":") && stuck.body().contains("\"since\":"), stuck.body());
        awaitStatus(port, "/health/live", 200, worker);

        // The endpoint's own bad input.
        assertEquals(404, get(port, "/nope").statusCode());
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));

        // During a shutdown (a call still running) /health/ready is 503.
        produce(kafka, topic, List.of("hang-1"));
        awaitStatus(port, "/health/live", 503, worker);
        worker.terminate();
        // The process says so at once; each stage once its loop has seen the stop.
        HttpResponse<String> stopping = awaitStatus(port, "/health/ready", 503, "\"problem\":\"stopping\"", worker);
        assertTrue(stopping.body().contains("shutting down"), "the process says it shuts down: " + stopping.body());
        assertEquals(0, worker.waitFor(Duration.ofSeconds(60)), worker.output());
    }

    @Test
    void theWaitingGaugeCountsWhatTheRetryTopicHolds(EmbeddedKafka kafka) throws Exception {
        String topic = kafka.createUniqueTopic("ops-wait", 2);
        kafka.createTopic(topic + "-sink", 2);
        int port = freePort();
        // Real time: stage 1 waits 15 s or more, so what the retry topic receives is held.
        FluxWorkerProcess worker = FluxProcess.start(Map.of("FLUX_KAFKA_BROKERS", kafka.bootstrapServers(),
                        "FLUX_CONSUMER_COMMIT_INTERVAL", "200ms", "FLUX_HTTP_PORT", Integer.toString(port)),
                Map.of("cli.test.topic", topic), null, "process", "--load", LOAD, TASK);
        produce(kafka, topic, List.of("flaky-0", "flaky-1", "flaky-2", "flaky-3", "v-0"));
        assertEquals(4, kafka.readAll(topic + "-recorder-try-1", 4, Duration.ofSeconds(30)).size(), worker.output());
        awaitMetric(port, "flux_stage_waiting_records", "1", 4, worker);
        assertEquals(4, lagOfGroup(kafka, topic + "-recorder-try-1", "recorder-1") , "what the retry topic holds past the"
                + " group's committed offset");
        MetricsScrape scrape = MetricsScrape.fetch(http, port);
        assertEquals(4, scrape.sum("flux_stage_lag_records", "stage", "1"));
        assertEquals(0, scrape.sum("flux_stage_due_lag_seconds", "stage", "1"), "nothing is due yet");
        assertTrue(scrape.sum("flux_stage_waiting_oldest_due_time_seconds", "stage", "1") * 1000 > System.currentTimeMillis(),
                "the oldest waiting record is due in the future");
        worker.terminate();
        assertEquals(0, worker.waitFor(Duration.ofSeconds(60)), worker.output());
    }

    @Test
    void jsonLogLinesCarryTheRecordInHand(EmbeddedKafka kafka) throws Exception {
        String topic = kafka.createUniqueTopic("ops-json", 1);
        kafka.createTopic(topic + "-sink", 1);
        Map<String, String> env = Map.of("FLUX_KAFKA_BROKERS", kafka.bootstrapServers(), "FLUX_CONSUMER_COMMIT_INTERVAL", "200ms");
        FluxWorkerProcess worker = FluxProcess.start(env, Map.of("cli.test.topic", topic), null,
                "process", "--log-format", "json", "--load", LOAD, TASK);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "the-key", "log-1")).get(10, TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!worker.output().contains("the task says hello to log-1") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        worker.terminate();
        assertEquals(0, worker.waitFor(Duration.ofSeconds(60)), worker.output());

        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode hello = null;
        int lines = 0;
        for (String line : worker.output().lines().toList()) {
            com.fasterxml.jackson.databind.JsonNode node = json.readTree(line); // every line is one JSON object
            assertTrue(node.isObject() && node.has("level") && node.has("loggerName") && node.has("formattedMessage"), line);
            lines++;
            if (node.get("formattedMessage").asText().equals("the task says hello to log-1")) {
                hello = node;
            }
        }
        assertTrue(lines > 5, worker.output());
        assertTrue(hello != null, "the task's own line is there:\n" + worker.output());
        com.fasterxml.jackson.databind.JsonNode mdc = hello.get("mdc");
        assertEquals("RecordingTask", mdc.get("task").asText());
        assertEquals("0", mdc.get("stage").asText());
        assertEquals(topic, mdc.get("topic").asText());
        assertEquals("0", mdc.get("partition").asText());
        assertEquals("0", mdc.get("offset").asText());
        assertEquals("the-key", mdc.get("key").asText());
    }

    @Test
    void twoTasksInOneProcessBothWorkAndStopTogether(EmbeddedKafka kafka) throws Exception {
        String recorded = kafka.createUniqueTopic("ops-a", 2);
        String echoed = kafka.createUniqueTopic("ops-b", 2);
        kafka.createTopic(recorded + "-sink", 2);
        kafka.createTopic(echoed + "-sink", 2);
        int port = freePort();
        FluxWorkerProcess worker = FluxProcess.start(Map.of("FLUX_KAFKA_BROKERS", kafka.bootstrapServers(),
                        "FLUX_RETRY_TIME_SCALE", "0.001", "FLUX_HTTP_PORT", Integer.toString(port)),
                Map.of("cli.test.topic", recorded, "cli.test.echo-topic", echoed), null,
                "process", "--load", LOAD, TASK + ":0-1", "io.superflux.cli.testapp.EchoTask:0");
        produce(kafka, recorded, List.of("a-1", "a-2", "flaky-a"));
        produce(kafka, echoed, List.of("b-1", "b-2"));
        assertEquals(3, kafka.readAll(recorded + "-sink", 3, Duration.ofSeconds(60)).size(), worker.output());
        assertEquals(2, kafka.readAll(echoed + "-sink", 2, Duration.ofSeconds(60)).size(), worker.output());
        HttpResponse<String> ready = awaitStatus(port, "/health/ready", 200, worker);
        assertTrue(ready.body().contains("\"task\":\"RecordingTask\",\"stage\":1") && ready.body().contains("\"task\":\"EchoTask\",\"stage\":0")
                && !ready.body().contains("\"task\":\"RecordingTask\",\"stage\":2"), ready.body());
        assertEquals(2, MetricsScrape.fetch(http, port).sum("flux_task_handled_total", "task", "EchoTask"));

        worker.terminate();
        assertEquals(0, worker.waitFor(Duration.ofSeconds(60)), worker.output());
        assertTrue(worker.output().contains("stage 1 (retry, topic " + recorded + "-recorder-try-1, group recorder-1) of"
                + " RecordingTask stopped") && worker.output().contains("of EchoTask stopped"), worker.output());
    }

    @Test
    void anUnknownLogFormatIsAUsageError() throws Exception {
        FluxWorkerProcess worker = FluxProcess.run(Map.of("FLUX_LOG_FORMAT", "xml"), Map.of(), null, "version");
        assertEquals(2, worker.exitCode(), worker.output());
        assertEquals("flux: FLUX_LOG_FORMAT 'xml': give plain or json", worker.output().strip());
    }

    @Test
    void aPortInUseIsAUsageError(EmbeddedKafka kafka) throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            FluxWorkerProcess worker = FluxProcess.run(Map.of("FLUX_KAFKA_BROKERS", kafka.bootstrapServers()),
                    Map.of("cli.test.topic", kafka.createUniqueTopic("ops-port", 1)), null, "process", "--http-port",
                    Integer.toString(taken.getLocalPort()), "--load", LOAD, TASK);
            assertEquals(2, worker.exitCode(), worker.output());
            List<String> errors = worker.output().lines().filter(line -> line.startsWith("flux:")).toList();
            assertEquals(1, errors.size(), worker.output());
            assertTrue(errors.get(0).contains("Cannot listen on 0.0.0.0:" + taken.getLocalPort() + " (flux.http.port"), errors.get(0));
        }
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The first answer of the endpoint (it starts a little after the process). */
    private HttpResponse<String> awaitResponse(int port, String path, FluxWorkerProcess worker) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                return get(port, path);
            } catch (java.io.IOException notYet) {
                if (!worker.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("no answer on " + path + ":\n" + worker.output(), notYet);
                }
                Thread.sleep(20);
            }
        }
    }

    private HttpResponse<String> awaitStatus(int port, String path, int status, FluxWorkerProcess worker) throws Exception {
        return awaitStatus(port, path, status, "", worker);
    }

    /** Waits for {@code status} with a body containing {@code text}. */
    private HttpResponse<String> awaitStatus(int port, String path, int status, String text, FluxWorkerProcess worker)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = get(port, path);
                if (last.statusCode() == status && last.body().contains(text)) {
                    return last;
                }
            } catch (java.io.IOException e) {
                if (!worker.isAlive()) {
                    break;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError(path + " never answered " + status + "; last: " + (last == null ? "none" : last.statusCode()
                + " " + last.body()) + "\n" + worker.output());
    }

    /** Waits until the samples of {@code name} of stage {@code stage} sum to {@code expected}. */
    private void awaitMetric(int port, String name, String stage, double expected, FluxWorkerProcess worker) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        double value = Double.NaN;
        while (System.nanoTime() < deadline) {
            value = MetricsScrape.fetch(http, port).sum(name, "stage", stage);
            if (value == expected) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(name + "{stage=" + stage + "} is " + value + ", not " + expected + "\n" + worker.output());
    }

    private static long lagOfGroup(EmbeddedKafka kafka, String topic, String group) throws Exception {
        Admin admin = kafka.admin();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < 2; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        long ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values().stream().mapToLong(i -> i.offset()).sum();
        long committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
                .entrySet().stream().filter(e -> e.getKey().topic().equals(topic)).mapToLong(e -> e.getValue().offset()).sum();
        return ends - committed;
    }

    private static void produce(EmbeddedKafka kafka, String topic, List<String> values) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < values.size(); i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + i, values.get(i))).get(10, TimeUnit.SECONDS);
            }
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
