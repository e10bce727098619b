package io.superflux.internal.ops;

import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * A Prometheus registry for {@code /metrics}: it joins Flux's registry when that is a composite
 * (Micrometer's global registry is), so it sees every Flux meter and every kafka-clients metric
 * bound there, and it carries JVM and process metrics of its own.
 */
public final class PrometheusMetrics implements AutoCloseable {
    /** A scrape: its content type and body. */
    record Scrape(String contentType, byte[] body) {
    }

    private static final String PROTOBUF = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MeterRegistry flux;
    private final List<AutoCloseable> binders = new ArrayList<>();

    /** Joins {@code flux} (if it is a composite) and binds the JVM and process metrics. */
    public PrometheusMetrics(MeterRegistry flux) {
        this.flux = flux;
        if (flux instanceof CompositeMeterRegistry composite) {
            composite.add(prometheus);
        }
        JvmGcMetrics gc = new JvmGcMetrics();
        binders.add(gc);
        for (MeterBinder binder : List.of(new JvmMemoryMetrics(), gc, new JvmThreadMetrics(), new ClassLoaderMetrics(),
                new ProcessorMetrics(), new UptimeMetrics(), new FileDescriptorMetrics())) {
            binder.bindTo(prometheus);
        }
    }

    /**
     * The meters in the format the scraper asks for ({@code Accept}): Prometheus text by default,
     * OpenMetrics text, or Prometheus protobuf (what a Prometheus server asks for first).
     */
    Scrape scrape(String accept) {
        String contentType = accept == null ? "" : accept;
        if (contentType.contains("application/vnd.google.protobuf")) {
            contentType = PROTOBUF;
        } else if (contentType.contains("application/openmetrics-text")) {
            contentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";
        } else {
            contentType = "text/plain; version=0.0.4; charset=utf-8";
        }
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream(64 * 1024);
        try {
            prometheus.scrape(body, contentType);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new Scrape(contentType, body.toByteArray());
    }

    @Override
    public void close() {
        if (flux instanceof CompositeMeterRegistry composite) {
            composite.remove(prometheus);
        }
        for (AutoCloseable binder : binders) {
            try {
                binder.close();
            } catch (Exception e) {
                // closing a GC listener cannot fail in a way that matters at shutdown
            }
        }
        prometheus.close();
    }
}
