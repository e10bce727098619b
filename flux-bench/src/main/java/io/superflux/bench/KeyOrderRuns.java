package io.superflux.bench;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.superflux.SuperFlux;
import io.superflux.Worker;
import io.superflux.bench.measure.Measurement;
import io.superflux.bench.measure.SteadyWindow;
import io.superflux.task.KeyOrder;
import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/**
 * {@code key-order}: the main stage with 1 % of the keys held. The first record of every
 * hundredth key fails (it goes to the retry topic, whose stage does not run here), so with ordered
 * retries those keys stay held and every later record of theirs is parked in the order topic;
 * unordered, they are simply called. Both count a record once stage 0 is done with it (called, or
 * parked). The ordered run also reports what the order topic cost: its bytes on the broker per
 * record taken.
 */
final class KeyOrderRuns {
    private KeyOrderRuns() {
    }

    /** Fails the first call of every key whose number is a multiple of 100 (key-0, key-100, …: 1 % of the keys). */
    static final class OnePercentHeldTask extends Task<byte[]> {
        private final Set<String> seen = new HashSet<>();
        private final Completion completion;

        OnePercentHeldTask(TaskSpec<byte[]> spec, Completion completion) {
            super(spec);
            this.completion = completion;
        }

        @Override
        public void call(Message<byte[]> message) {
            completion.record();
            String key = new String(message.record().key(), StandardCharsets.UTF_8);
            if (Integer.parseInt(key.substring(key.indexOf('-') + 1)) % 100 == 0 && seen.add(key)) {
                throw new IllegalStateException("the first record of " + key + " fails");
            }
        }
    }

    static Measurement flux(String bootstrap, String topic, String group, long count, boolean ordered) throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        SuperFlux.configure(c -> c.brokers(bootstrap).clientId("bench-flux").meterRegistry(meters));
        Completion completion = new Completion(count);
        TaskSpec<byte[]> spec = TaskSpec.topic(topic).group(group).retries(1).bytes();
        Worker worker = SuperFlux.start(new OnePercentHeldTask(ordered ? spec.keyOrder(KeyOrder.ordered().maxHeld(5_000_000))
                : spec, completion), "0");
        Gauge parked = ordered ? meters.get("flux.order.parked").gauge() : null;
        Measurement measurement = new SteadyWindow(() -> completion.count() + (parked == null ? 0 : (long) parked.value()), count)
                .measure();
        if (ordered) {
            measurement.put("parked", parked.value());
        }
        worker.stop();
        SuperFlux.shutdown();
        if (ordered) {
            measurement.put("order_topic_bytes", topicBytes(bootstrap, topic + "-" + group + "-order"));
        }
        return measurement;
    }

    /** The bytes {@code topic} takes on the brokers (every replica). */
    private static double topicBytes(String bootstrap, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<Integer> brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream().map(n -> n.id()).toList();
            long bytes = 0;
            for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(brokers).allDescriptions().get(30, TimeUnit.SECONDS)
                    .values()) {
                for (LogDirDescription dir : dirs.values()) {
                    for (Map.Entry<org.apache.kafka.common.TopicPartition, ReplicaInfo> replica : dir.replicaInfos().entrySet()) {
                        if (replica.getKey().topic().equals(topic)) {
                            bytes += replica.getValue().size();
                        }
                    }
                }
            }
            return bytes;
        }
    }
}
