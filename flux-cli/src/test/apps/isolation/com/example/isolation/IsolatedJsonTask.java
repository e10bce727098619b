package com.example.isolation;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.superflux.producer.Producer;
import io.superflux.producer.ProducerSpec;
import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/**
 * An application that brings its own Jackson (newer than flux.jar's) and uses a method only that
 * version has, while Flux's own JSON serde reads its input. Compiled by IsolationIT against the
 * newer Jackson; each order is written to {@code <topic>-sink} as JSON built by the app's Jackson.
 */
public final class IsolatedJsonTask extends Task<IsolatedJsonTask.Order> {
    /** An order, read by Flux's serde: its Instant needs Flux's JavaTimeModule. */
    public record Order(String id, Instant placedAt) {
    }

    private final ObjectMapper own = new ObjectMapper();
    private final Producer<byte[]> sink;

    public IsolatedJsonTask() {
        super(TaskSpec.topic(System.getProperty("cli.test.topic", "isolation")).group("isolation").retries(1)
                .json(Order.class));
        sink = Producer.of(ProducerSpec.topic(spec().topic() + "-sink").bytes());
    }

    @Override
    public void call(Message<Order> message) throws Exception {
        ObjectNode out = own.createObjectNode();
        // ObjectNode.put(JsonPointer, JsonNode) is new in Jackson 2.22: NoSuchMethodError on an older one
        out.put(JsonPointer.compile("/order/id"), own.getNodeFactory().textNode(message.value().id()));
        out.put("placedAt", message.value().placedAt().toString());
        out.put("appJackson", com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString());
        out.put("fluxJackson", Task.class.getClassLoader().loadClass("com.fasterxml.jackson.databind.cfg.PackageVersion")
                .getField("VERSION").get(null).toString());
        sink.produce(own.writeValueAsBytes(out), message.key()).get(30, TimeUnit.SECONDS);
    }
}
