package io.superflux.cli.testapp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import com.typesafe.config.Config;

import io.superflux.retry.Stage;
import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskContext;
import io.superflux.task.TaskSpec;

/**
 * A task with a lifecycle, created by its factory method from the application's configuration
 * ({@code lifecycle { … }}): it appends each event (open with the settings it read, assigned,
 * call, revoked, close with the group's committed offsets) as a line to
 * {@code lifecycle.events-file}. Its topic comes from {@code -Dcli.test.topic}; {@code fail…}
 * values fail in stage 0; {@code lifecycle.fail-open = true} makes open throw.
 */
public final class LifecycleTask extends Task<String> {
    private final Config settings;
    private final Path events;
    private volatile TaskContext context;

    private LifecycleTask(Config settings) {
        super(TaskSpec.topic(System.getProperty("cli.test.topic", "cli-lifecycle")).group("lifecycle").retries(1));
        this.settings = settings;
        this.events = Path.of(settings.getString("events-file"));
    }

    /** The factory method flux process calls: the settings come from the context, before the task exists. */
    public static LifecycleTask create(TaskContext context) {
        return new LifecycleTask(context.config().getConfig("lifecycle"));
    }

    @Override
    public void open(TaskContext context) throws Exception {
        this.context = context;
        event("open conf=" + settings.getString("from-conf") + " file=" + settings.getString("from-file") + " property="
                + settings.getString("from-property") + " env=" + settings.getString("from-env") + " stages="
                + context.stages().stream().map(Stage::number).toList());
        if (settings.getBoolean("fail-open")) {
            throw new IOException("the database at db.example:5432 refused the connection");
        }
    }

    @Override
    public void onAssigned(Stage stage, Collection<TopicPartition> partitions) throws Exception {
        for (TopicPartition partition : partitions) {
            event("assigned " + stage.number() + "/" + partition.partition());
        }
    }

    @Override
    public void call(Message<String> message) throws Exception {
        event("call " + message.stage() + "/" + message.partition() + " " + message.value());
        if (message.value().startsWith("fail") && message.stage() == 0) {
            throw new IllegalStateException("fails in stage 0: " + message.value());
        }
    }

    @Override
    public void onRevoked(Stage stage, Collection<TopicPartition> partitions) throws Exception {
        for (TopicPartition partition : partitions) {
            event("revoked " + stage.number() + "/" + partition.partition());
        }
    }

    @Override
    public void close() throws Exception {
        long committed = 0;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                context.fluxConfig().cluster(spec().cluster()).bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(spec().group())
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            for (Map.Entry<TopicPartition, OffsetAndMetadata> offset : offsets.entrySet()) {
                if (offset.getKey().topic().equals(spec().topic())) {
                    committed += offset.getValue().offset();
                }
            }
        }
        event("close committed=" + committed);
    }

    private synchronized void event(String line) throws IOException {
        Files.writeString(events, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
