/**
 * Serializers and deserializers Flux ships: JSON on Jackson ({@link io.superflux.serde.JsonSerializer},
 * {@link io.superflux.serde.JsonDeserializer}), used by {@code TaskSpec.json} and {@code ProducerSpec.json}.
 */
package io.superflux.serde;
