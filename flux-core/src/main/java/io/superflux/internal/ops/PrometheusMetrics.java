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
    /** A scrape: its content type and text. */
    record Scrape(String contentType, String body) {
    }

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

    Scrape scrape(String accept) {
        String contentType = accept != null && accept.contains("application/openmetrics-text")
                ? "application/openmetrics-text; version=1.0.0; charset=utf-8" : "text/plain; version=0.0.4; charset=utf-8";
        return new Scrape(contentType, prometheus.scrape(contentType));
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
