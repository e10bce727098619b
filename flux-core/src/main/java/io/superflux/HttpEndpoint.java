package io.superflux;

/**
 * The HTTP endpoint of a worker process: {@code GET /metrics} (Prometheus text),
 * {@code GET /health/live} and {@code GET /health/ready} (200 or 503 with a JSON body saying
 * why). {@code flux process} starts it on {@code flux.http.port}; a library user starts it with
 * {@link SuperFlux#startHttpEndpoint()}. Closed by {@link #close()} or {@link SuperFlux#shutdown()}.
 */
public interface HttpEndpoint extends AutoCloseable {
    /** The port it listens on (the one chosen by the system if {@code flux.http.port} asked for any). */
    int port();

    /** Stops listening. Idempotent. */
    @Override
    void close();
}
