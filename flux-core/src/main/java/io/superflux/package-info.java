/**
 * Flux: topic-specific Kafka producers and retrying tasks.
 *
 * <p>{@link io.superflux.SuperFlux} is the facade (configure, flush, shutdown, logger);
 * {@link io.superflux.FluxConfig} and its parts are the loaded configuration. Producers are in
 * {@code io.superflux.producer}. Everything under {@code io.superflux.internal} is implementation,
 * not API, and may change in any release.
 */
package io.superflux;
