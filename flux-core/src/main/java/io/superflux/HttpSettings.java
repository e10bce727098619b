package io.superflux;

import java.util.Objects;

/**
 * Where the HTTP endpoint listens ({@code flux.http}): {@code /metrics}, {@code /health/live},
 * {@code /health/ready}.
 *
 * @param host the address to bind ({@code flux.http.host}, default {@code 0.0.0.0})
 * @param port the port ({@code flux.http.port}, default 9400); 0 turns the endpoint off
 */
public record HttpSettings(String host, int port) {
    /** Checks the values. */
    public HttpSettings {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be from 0 to 65535, not " + port);
        }
    }

    /** Whether the endpoint is on (a port other than 0). */
    public boolean enabled() {
        return port != 0;
    }
}
