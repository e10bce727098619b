/**
 * Test support for Flux and for applications built on it: {@link io.superflux.testkit.EmbeddedKafka},
 * a real KRaft Kafka broker inside the test JVM, and
 * {@link io.superflux.testkit.EmbeddedKafkaExtension}, which gives each JUnit 5 test class one.
 * No Docker is needed.
 */
package io.superflux.testkit;
