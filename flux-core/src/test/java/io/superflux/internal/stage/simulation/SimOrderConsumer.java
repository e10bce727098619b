package io.superflux.internal.stage.simulation;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumer without a group of the simulated cluster, as ordered retries use two of them on the
 * order topic: assign, seek, position, end offsets and poll, each poll bringing a random part of
 * what there is. Every call of a killed process throws {@link SimWorld.Crashed}. A method the
 * engine does not call fails the run at once (a change that starts calling one must simulate it).
 */
final class SimOrderConsumer implements InvocationHandler {
    private final SimWorld world;
    private final int incarnation;
    private final SplittableRandom random;
    private final Set<TopicPartition> assignment = new LinkedHashSet<>();
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private boolean closed;

    private SimOrderConsumer(SimWorld world, int incarnation, SplittableRandom random) {
        this.world = world;
        this.incarnation = incarnation;
        this.random = random;
    }

    @SuppressWarnings("unchecked")
    static Consumer<byte[], byte[]> of(SimWorld world, int incarnation, SplittableRandom random) {
        return (Consumer<byte[], byte[]>) Proxy.newProxyInstance(Consumer.class.getClassLoader(), new Class<?>[] {Consumer.class},
                new SimOrderConsumer(world, incarnation, random));
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (name.equals("close")) {
            closed = true;
            return null;
        }
        if (name.equals("hashCode")) {
            return System.identityHashCode(proxy);
        }
        if (name.equals("equals")) {
            return proxy == args[0];
        }
        if (name.equals("toString")) {
            return "SimOrderConsumer(incarnation " + incarnation + ")";
        }
        if (world.scheduler().ended()) {
            throw new SimScheduler.Ended();
        }
        world.checkAlive(incarnation);
        if (closed) {
            throw new IllegalStateException("This consumer has already been closed.");
        }
        switch (name) {
            case "assign" -> {
                assignment.clear();
                assignment.addAll((Collection<TopicPartition>) args[0]);
                positions.keySet().retainAll(assignment);
                return null;
            }
            case "seekToBeginning" -> {
                for (TopicPartition partition : (Collection<TopicPartition>) args[0]) {
                    assigned(partition).put(partition, 0L);
                }
                return null;
            }
            case "seek" -> {
                assigned((TopicPartition) args[0]).put((TopicPartition) args[0], (Long) args[1]);
                return null;
            }
            case "position" -> {
                TopicPartition partition = (TopicPartition) args[0];
                return assigned(partition).computeIfAbsent(partition, p -> 0L); // auto.offset.reset = earliest
            }
            case "endOffsets" -> {
                Map<TopicPartition, Long> ends = new HashMap<>();
                for (TopicPartition partition : (Collection<TopicPartition>) args[0]) {
                    ends.put(partition, world.cluster().logEnd(partition));
                }
                return ends;
            }
            case "poll" -> {
                return poll((Duration) args[0]);
            }
            default -> throw new UnsupportedOperationException("ordered retries do not call Consumer." + name
                    + " on the order topic; simulate it in SimOrderConsumer before they do");
        }
    }

    private Map<TopicPartition, Long> assigned(TopicPartition partition) {
        if (!assignment.contains(partition)) {
            throw new IllegalStateException("No current assignment for partition " + partition);
        }
        return positions;
    }

    private ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> out = new LinkedHashMap<>();
        int budget = 1 + random.nextInt(8);
        for (TopicPartition partition : assignment) {
            long position = positions.computeIfAbsent(partition, p -> 0L);
            List<SimCluster.Stored> log = world.cluster().log(partition);
            List<ConsumerRecord<byte[], byte[]>> taken = new ArrayList<>();
            while (position < log.size() && budget > 0) {
                SimCluster.Stored stored = log.get((int) position++);
                taken.add(stored.read());
                budget--;
            }
            positions.put(partition, position);
            if (!taken.isEmpty()) {
                out.put(partition, taken);
            }
        }
        if (out.isEmpty() && !timeout.isZero()) {
            world.scheduler().awaitUninterruptibly(world.scheduler().now() + Math.min(timeout.toMillis(), 10));
        }
        return out.isEmpty() ? ConsumerRecords.empty() : new ConsumerRecords<>(out, Map.of());
    }
}
