package io.superflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.acme.AwesomeTask;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.superflux.retry.StageSelection;

/**
 * The Kubernetes manifests in deploy/kubernetes parse, and are wired as the README says: probes
 * on the endpoint's paths and port, scrape annotations on that port, a grace period longer than
 * the shutdown timeout plus the final commit, stages that exist, KEDA on the right meters.
 */
class DeploymentManifestsTest {
    private static final Path MANIFESTS = Path.of("..", "deploy", "kubernetes");
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

    private List<JsonNode> documents(String file) throws Exception {
        List<JsonNode> documents = new ArrayList<>();
        try (var parser = yaml.getFactory().createParser(Files.readString(MANIFESTS.resolve(file)))) {
            yaml.readValues(parser, JsonNode.class).forEachRemaining(documents::add);
        }
        return documents;
    }

    @Test
    void deploymentsProbeTheEndpointAndOutwaitTheShutdownTimeout() throws Exception {
        JsonNode config = documents("configmap.yaml").get(0).get("data");
        String port = config.get("FLUX_HTTP_PORT").asText();
        long shutdownSeconds = Duration.parse("PT" + config.get("FLUX_SHUTDOWN_TIMEOUT").asText().toUpperCase()).toSeconds();
        for (String file : List.of("awesome-main.yaml", "awesome-retries.yaml")) {
            JsonNode deployment = documents(file).get(0);
            assertEquals("Deployment", deployment.get("kind").asText());
            JsonNode pod = deployment.at("/spec/template");
            assertEquals(port, pod.at("/metadata/annotations/prometheus.io~1port").asText(), file);
            assertEquals("/metrics", pod.at("/metadata/annotations/prometheus.io~1path").asText(), file);
            assertTrue(pod.at("/spec/terminationGracePeriodSeconds").asLong() >= shutdownSeconds + 20, file);
            JsonNode container = pod.at("/spec/containers/0");
            assertEquals(Integer.parseInt(port), container.at("/ports/0/containerPort").asInt(), file);
            assertEquals("/health/live", container.at("/livenessProbe/httpGet/path").asText(), file);
            assertEquals("/health/ready", container.at("/readinessProbe/httpGet/path").asText(), file);
            assertEquals("/health/live", container.at("/startupProbe/httpGet/path").asText(), file);
            List<String> args = new ArrayList<>();
            container.get("args").forEach(arg -> args.add(arg.asText()));
            assertEquals("process", args.get(0));
            assertEquals(AwesomeTask.class.getName(), args.get(args.size() - 1));
            StageSelection.parse(args.get(args.indexOf("--stages") + 1), new AwesomeTask().spec().plan()); // exists
            assertEquals("awesome-flux", container.at("/envFrom/0/configMapRef/name").asText());
            boolean staticMembership = false;
            for (JsonNode variable : container.get("env")) {
                staticMembership |= variable.get("name").asText().equals("FLUX_INSTANCE_ID")
                        && variable.at("/valueFrom/fieldRef/fieldPath").asText().equals("metadata.name");
            }
            assertTrue(staticMembership, file + ": FLUX_INSTANCE_ID from the pod's name");
        }
    }

    @Test
    void kedaScalesTheMainStageOnLagAndTheRetriesOnDueLag() throws Exception {
        List<JsonNode> scaled = documents("keda.yaml");
        assertEquals("awesome-flux-main", scaled.get(0).at("/spec/scaleTargetRef/name").asText());
        assertEquals("kafka", scaled.get(0).at("/spec/triggers/0/type").asText());
        assertEquals(new AwesomeTask().spec().plan().group(), scaled.get(0).at("/spec/triggers/0/metadata/consumerGroup").asText());
        assertEquals(new AwesomeTask().spec().topic(), scaled.get(0).at("/spec/triggers/0/metadata/topic").asText());
        assertEquals("awesome-flux-retries", scaled.get(1).at("/spec/scaleTargetRef/name").asText());
        assertTrue(scaled.get(1).at("/spec/triggers/0/metadata/query").asText().contains("flux_stage_due_lag_seconds"));
        assertTrue(Files.exists(MANIFESTS.resolve(scaled.get(0).at("/spec/scaleTargetRef/name").asText()
                .replace("awesome-flux-", "awesome-") + ".yaml")));
    }
}
