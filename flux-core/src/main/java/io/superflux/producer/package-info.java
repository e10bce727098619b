/**
 * Topic-specific producers: subclass {@link io.superflux.producer.Producer} with a
 * {@link io.superflux.producer.ProducerSpec}, then {@code produce(message, partitionKey)} from any
 * thread. Each {@code produce} returns a future of the message's {@link io.superflux.producer.Delivery}.
 */
package io.superflux.producer;
