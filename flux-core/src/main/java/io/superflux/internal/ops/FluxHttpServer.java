package io.superflux.internal.ops;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.superflux.FluxConfigException;
import io.superflux.HttpEndpoint;
import io.superflux.HttpSettings;
import io.superflux.internal.stage.ops.StageStatus;

/**
 * The endpoint on the JDK's HTTP server: {@code /metrics}, {@code /health/live},
 * {@code /health/ready}; 404 for any other path, 405 for any method but GET and HEAD. One daemon
 * thread serves the requests (probes and scrapes are rare and quick).
 */
public final class FluxHttpServer implements HttpEndpoint {
    private static final Logger log = LoggerFactory.getLogger(FluxHttpServer.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final PrometheusMetrics metrics;
    private volatile boolean closed;

    private FluxHttpServer(HttpServer server, ExecutorService executor, PrometheusMetrics metrics) {
        this.server = server;
        this.executor = executor;
        this.metrics = metrics;
    }

    /**
     * Listens on {@code settings}' host and port.
     *
     * @throws FluxConfigException naming {@code flux.http.port} if the address cannot be bound (in use, not local)
     */
    public static FluxHttpServer start(HttpSettings settings, PrometheusMetrics metrics, Supplier<List<StageStatus>> stages,
                                       BooleanSupplier shuttingDown) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 16);
        } catch (BindException e) {
            throw new FluxConfigException("flux.http.port", "Cannot listen on " + settings.host() + ":" + settings.port()
                    + " (flux.http.port, flux.http.host): " + e.getMessage() + "; choose another port with --http-port or"
                    + " FLUX_HTTP_PORT, or 0 to turn the endpoint off");
        } catch (IOException e) {
            throw new FluxConfigException("flux.http.port", "Cannot listen on " + settings.host() + ":" + settings.port()
                    + " (flux.http.port, flux.http.host): " + e);
        }
        HealthCheck health = new HealthCheck(stages, shuttingDown, Clock.systemUTC());
        ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "flux-http");
            thread.setDaemon(true);
            return thread;
        });
        FluxHttpServer endpoint = new FluxHttpServer(server, executor, metrics);
        server.createContext("/", exchange -> endpoint.serve(exchange, health));
        server.setExecutor(executor);
        server.start();
        log.info("HTTP endpoint on {}:{}: /metrics, /health/live, /health/ready", settings.host(), endpoint.port());
        return endpoint;
    }

    private void serve(HttpExchange exchange, HealthCheck health) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            boolean known = path.equals("/metrics") || path.equals("/health/live") || path.equals("/health/ready");
            if (!known) {
                respond(exchange, 404, "text/plain; charset=utf-8", "Not found: " + path + " (try /metrics, /health/live,"
                        + " /health/ready)\n");
                return;
            }
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, "text/plain; charset=utf-8", "Method " + method + " not allowed on " + path + "\n");
                return;
            }
            switch (path) {
                case "/metrics" -> {
                    PrometheusMetrics.Scrape scrape = metrics.scrape(exchange.getRequestHeaders().getFirst("Accept"));
                    respond(exchange, 200, scrape.contentType(), scrape.body());
                }
                case "/health/live" -> respond(exchange, health.live());
                default -> respond(exchange, health.ready());
            }
        } catch (RuntimeException e) {
            log.warn("HTTP endpoint: {} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
        }
    }

    private static void respond(HttpExchange exchange, HealthCheck.Verdict verdict) throws IOException {
        respond(exchange, verdict.ok() ? 200 : 503, "application/json", verdict.json() + "\n");
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        respond(exchange, status, contentType, body.getBytes(UTF_8));
    }

    private static void respond(HttpExchange exchange, int status, String contentType, byte[] bytes) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            server.stop(0);
            executor.shutdownNow();
            metrics.close();
        }
    }
}
