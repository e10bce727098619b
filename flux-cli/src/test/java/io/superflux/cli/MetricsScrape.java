package io.superflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_35_0.Metrics;

/**
 * One scrape of {@code /metrics}, decoded strictly: the Prometheus protobuf exposition (what a
 * Prometheus server asks for first), parsed by the protobuf classes the Prometheus Java client
 * ships; any malformed byte fails the parse. {@link #assertTextAgrees} then checks that the text
 * exposition of the same endpoint has every one of these samples with the same value.
 */
final class MetricsScrape {
    /** One sample: family name (as in the text format), labels in order, value. */
    record Sample(String name, Map<String, String> labels, double value) {
        String textPrefix() {
            StringJoiner labelText = new StringJoiner(",", "{", "}");
            labels.forEach((key, text) -> labelText.add(key + "=\"" + text.replace("\\", "\\\\").replace("\"", "\\\"")
                    .replace("\n", "\\n") + "\""));
            return name + (labels.isEmpty() ? "" : labelText.toString()) + " ";
        }
    }

    private final List<Sample> samples;
    private final List<String> families;

    private MetricsScrape(List<Sample> samples, List<String> families) {
        this.samples = samples;
        this.families = families;
    }

    static MetricsScrape fetch(HttpClient http, int port) throws Exception {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/metrics"))
                .header("Accept", "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/vnd.google.protobuf"),
                response.headers().toString());
        List<Sample> samples = new ArrayList<>();
        List<String> families = new ArrayList<>();
        try (InputStream in = new ByteArrayInputStream(response.body())) {
            Metrics.MetricFamily family;
            while ((family = Metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
                families.add(family.getName());
                for (Metrics.Metric metric : family.getMetricList()) {
                    Map<String, String> labels = new LinkedHashMap<>();
                    metric.getLabelList().forEach(label -> labels.put(label.getName(), label.getValue()));
                    switch (family.getType()) {
                        case COUNTER -> samples.add(new Sample(family.getName() + (family.getName().endsWith("_total") ? "" : "_total"),
                                labels, metric.getCounter().getValue()));
                        case GAUGE -> samples.add(new Sample(family.getName(), labels, metric.getGauge().getValue()));
                        case UNTYPED -> samples.add(new Sample(family.getName(), labels, metric.getUntyped().getValue()));
                        default -> { } // summaries and histograms: their count and sum are checked no further here
                    }
                }
            }
        }
        assertTrue(!samples.isEmpty(), "no samples");
        return new MetricsScrape(samples, families);
    }

    /** The sum of the samples of {@code name} with label {@code label} = {@code value}. */
    double sum(String name, String label, String value) {
        return samples.stream().filter(s -> s.name().equals(name) && value.equals(s.labels().get(label)))
                .mapToDouble(Sample::value).sum();
    }

    /** Whether a sample of {@code name} exists. */
    boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name)) || families.contains(name);
    }

    /** Every sample decoded here is in {@code text} with a value within a rounding of this one (gauges move between scrapes: only counters must be equal or larger). */
    void assertTextAgrees(String text) {
        List<String> lines = text.lines().toList();
        for (Sample sample : samples) {
            String prefix = sample.textPrefix();
            String line = lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
            assertTrue(line != null, "the text exposition lacks " + prefix.trim());
            double textValue = Double.parseDouble(line.substring(prefix.length()).trim().split(" ")[0]);
            if (sample.name().startsWith("flux_task_") && sample.name().endsWith("_total")) {
                assertEquals(sample.value(), textValue, prefix);
            }
        }
    }
}
