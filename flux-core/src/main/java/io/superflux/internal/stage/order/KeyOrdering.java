package io.superflux.internal.stage.order;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import io.superflux.internal.headers.RetryHeaders;
import io.superflux.internal.stage.environment.StageTime;
import io.superflux.internal.stage.forward.ForwardRecords;
import io.superflux.internal.stage.forward.ForwardTracker;
import io.superflux.internal.stage.ops.StageMeters;
import io.superflux.internal.stage.outage.OutageGate;
import io.superflux.internal.stage.progress.PartitionProgress;
import io.superflux.internal.stage.record.Attempts;
import io.superflux.internal.stage.record.InPlaceRetries;
import io.superflux.internal.stage.record.RecordOutcome;
import io.superflux.internal.stage.record.RecordRunner;
import io.superflux.task.KeyOrder;

/**
 * Ordered retries in stage 0. Before a record is called it asks whether its key is held: if so
 * the record is parked (written whole to the order topic; complete once that is acknowledged)
 * instead of called. A record that fails makes its key held by it (a hold entry, written before
 * the record counts as complete) and carries the {@code flux-key-leader} header into the chain.
 * When the chain says the leader is done, the key's parked records are fetched back and called
 * here, one at a time in their order: handled, the next follows; failed, it becomes the key's
 * new leader. Once nothing of the key is parked or in the chain, the key is free again.
 * See docs/ordered-retries.md for what each failure costs. Stage thread only.
 */
public final class KeyOrdering implements OrderMarks {
    private static final long RESTORE_TIMEOUT_MS = 60_000;
    /** While keys are held, the loop looks for done entries at least this often. */
    private static final long HELD_POLL_MS = 100;
    /** Released records are called for at most this long per pass of the loop, which must poll in time. */
    private static final long RELEASED_CALLS_NANOS = 200_000_000;

    /** A parked record fetched back and due to be called (again at {@code at}, after an in-place wait). */
    private record Released(TopicPartition input, Hold hold, ConsumerRecord<byte[], byte[]> record, Attempts attempts, long at) {
    }

    private final KeyOrder order;
    private final String orderTopic;
    private final int deadLetterStage;
    private final KeyHolds holds = new KeyHolds();
    private final OrderLog log;
    private final ParkedReader reader;
    private final OrderWrites writes;
    private final io.superflux.internal.stage.forward.Forwarder forwarder;
    private final ForwardTracker forwards;
    private final RecordRunner<?> runner;
    private final InPlaceRetries inPlace;
    private final ForwardRecords forwardRecords;
    private final StageMeters meters;
    private final StageTime time;
    private final OutageGate gate;
    private final BooleanSupplier halted;
    private final Runnable outageOver;
    private final LongAdder nullKeys;
    private final ArrayDeque<Released> ready = new ArrayDeque<>();
    private final PriorityQueue<Released> waiting = new PriorityQueue<>((a, b) -> Long.compare(a.at(), b.at()));
    /** What was decided for the record the stage thread is on: its outcome's marks depend on it. */
    private KeyHolds.Admission current;
    private boolean full;
    private long currentOffset = -1;

    /**
     * The parts ordered retries need in stage 0; {@code gate} may be null; {@code outageOver}
     * ends the outage holds when a released record's success ends an outage.
     */
    public KeyOrdering(KeyOrder order, OrderClients clients, int deadLetterStage, ForwardTracker forwards,
                       RecordRunner<?> runner, InPlaceRetries inPlace, ForwardRecords forwardRecords, StageMeters meters,
                       StageTime time, OutageGate gate, Runnable outageOver, BooleanSupplier halted) {
        this.order = order;
        this.orderTopic = clients.orderTopic();
        this.deadLetterStage = deadLetterStage;
        this.log = new OrderLog(clients.log(), clients.inputTopic(), orderTopic, time);
        this.reader = new ParkedReader(clients.reader(), clients.inputTopic(), orderTopic);
        this.writes = new OrderWrites(clients.forwarder(), time);
        this.forwarder = clients.forwarder();
        this.forwards = forwards;
        this.runner = runner;
        this.inPlace = inPlace;
        this.forwardRecords = forwardRecords;
        this.meters = meters;
        this.time = time;
        this.gate = gate;
        this.halted = halted;
        this.outageOver = outageOver;
        this.nullKeys = meters.keyOrder(holds::heldKeys, holds::parked, holds::oldestParkedAt);
    }

    /** What stage 0 does with a record, as ordered retries say. */
    public enum Taken {
        /** Call it. */
        CALL,
        /** Nothing: it was parked behind its key's leader, or is known to be parked or released already. */
        TAKEN,
        /**
         * Not now: as many keys are held and records parked as the task allows, and this record
         * could add to them; its partition waits (a key's leader read again always goes on).
         */
        WAIT
    }

    /** How long a record waits before it asks again whether keys were released ({@link Taken#WAIT}). */
    public static final long FULL_WAIT_MS = 100;

    /** What to do with {@code record} of {@code partition}. */
    public Taken takes(TopicPartition partition, PartitionProgress progress, ConsumerRecord<byte[], byte[]> record) {
        currentOffset = record.offset();
        try {
            return admit(partition, progress, record);
        } finally {
            for (Hold read : holds.readAt(partition, record.offset())) {
                releaseNext(partition, read); // once this record was admitted: it may be the leader, read again
            }
        }
    }

    private Taken admit(TopicPartition partition, PartitionProgress progress, ConsumerRecord<byte[], byte[]> record) {
        if (record.key() == null) {
            nullKeys.increment();
            current = KeyHolds.Admission.CALL;
            return Taken.CALL;
        }
        current = holds.admit(partition, record.key(), record.offset(), record.headers());
        Hold hold = current == KeyHolds.Admission.CALL ? null : holds.hold(partition, record.key());
        if (current == KeyHolds.Admission.LEADER && hold.leaderDone) {
            // the leader read again after it reached its final outcome is a duplicate; a replay of it is new work
            current = record.offset() == hold.leader ? KeyHolds.Admission.KNOWN : KeyHolds.Admission.PARK;
        }
        if (current == KeyHolds.Admission.PARK && hold.free()) {
            finish(partition, hold);
            current = KeyHolds.Admission.CALL;
        }
        if ((current == KeyHolds.Admission.CALL || current == KeyHolds.Admission.PARK) && full()
                && !holds.rereading(partition)) { // what a restore must read again is read whatever is held
            current = null;
            return Taken.WAIT;
        }
        switch (current) {
            case KNOWN -> {
                progress.handled(record.offset());
                return Taken.TAKEN;
            }
            case PARK -> {
                holds.park(hold, record.offset(), time.millis());
                forwards.sendEntry(partition, progress, progress.started(record.offset()), OrderEntries.park(orderTopic, record));
                return Taken.TAKEN;
            }
            default -> {
                return Taken.CALL;
            }
        }
    }

    @Override
    public boolean handled(TopicPartition partition, PartitionProgress progress, ConsumerRecord<byte[], byte[]> record) {
        if (current != KeyHolds.Admission.LEADER || record.offset() != currentOffset) {
            return false;
        }
        Hold hold = holds.hold(partition, record.key());
        forwards.sendEntry(partition, progress, progress.started(record.offset()),
                OrderEntries.done(orderTopic, partition.partition(), record.key(), hold.leader, 0, time.millis()));
        return true;
    }

    @Override
    public Forward forwarding(TopicPartition partition, PartitionProgress progress, ConsumerRecord<byte[], byte[]> record,
                              RecordOutcome outcome, ProducerRecord<byte[], byte[]> forward) {
        if (record.key() == null || current == null || record.offset() != currentOffset) {
            return new Forward(forward, null);
        }
        boolean final_ = outcome.targetStage() == deadLetterStage && order.afterDeadLetter() == KeyOrder.AfterDeadLetter.RELEASE;
        long leader = record.offset();
        if (current == KeyHolds.Admission.LEADER) {
            leader = holds.hold(partition, record.key()).leader;
        } else {
            long now = time.millis();
            Hold hold = holds.heldBy(partition, record.key(), leader, now);
            hold.unconfirmedHolds++;
            forwards.sendEntry(partition, progress, progress.started(record.offset()),
                    OrderEntries.hold(orderTopic, partition.partition(), record.key(), leader, now), () -> holdConfirmed(partition, hold));
        }
        RetryHeaders.withKeyLeader(forward.headers(), partition.partition(), leader);
        if (!final_) {
            return new Forward(forward, null);
        }
        // dead-lettered once its dead letter is written: its key is released by the done entry that follows it
        PartitionProgress.Pending done = progress.started(record.offset());
        ProducerRecord<byte[], byte[]> entry = OrderEntries.done(orderTopic, partition.partition(), record.key(), leader, 0,
                time.millis());
        return new Forward(forward, () -> forwards.sendEntry(partition, progress, done, entry));
    }

    /**
     * {@code partitions} were assigned, to be read from {@code committed} (no entry: from the
     * start): their holds are read back from the order topic before any record of theirs is taken.
     */
    public void assigned(Collection<TopicPartition> partitions, Map<TopicPartition, Long> committed) {
        // writes of an earlier ownership still on their way (a partition lost drops them from the trackers, not from
        // the producer) would land after the read back and undo it
        forwarder.flush();
        writes.drain();
        OrderLog.Restored restored = log.restore(partitions, RESTORE_TIMEOUT_MS);
        restored.latest().forEach((partition, entries) -> {
            List<Hold> released = new java.util.ArrayList<>();
            for (ProducerRecord<byte[], byte[]> leftover : holds.restore(partition, orderTopic, entries,
                    committed.getOrDefault(partition, 0L), released)) {
                writes.send(partition, leftover, null);
            }
            released.forEach(hold -> releaseNext(partition, hold));
        });
        restored.others().forEach(this::apply);
    }

    /** Forgets {@code partitions} (revoked or lost): their next owner reads their holds back. */
    public void forget(Collection<TopicPartition> partitions) {
        holds.forget(partitions);
        log.forget(partitions);
        reader.forget(partitions);
        writes.forget(partitions);
        ready.removeIf(released -> partitions.contains(released.input()));
        waiting.removeIf(released -> partitions.contains(released.input()));
    }

    /**
     * Carries out the writes acknowledged meantime (a revocation waits for them: no write of a
     * partition may land after its next owner read it back); returns those of {@code partitions}
     * still out, or of every partition with null.
     */
    public int settleWrites(Collection<TopicPartition> partitions) {
        writes.drain();
        return partitions == null ? writes.sent() : writes.sentFor(partitions);
    }

    /** From the poll loop: reads what the chain wrote, fetches parked records, calls the released ones. */
    public void onLoop() {
        writes.drain();
        writes.resendDue();
        for (OrderLog.Read read : log.poll()) {
            apply(read);
        }
        for (ParkedReader.Fetched fetched : reader.poll()) {
            fetched(fetched);
        }
        callReleased();
        int held = holds.heldKeys();
        full = held + holds.parked() >= order.maxHeld();
        meters.status().keyOrder(held, holds.parked(), full);
    }

    private void apply(OrderLog.Read read) {
        OrderEntries.Entry entry = read.entry();
        Hold hold = switch (entry.type()) {
            case OrderEntries.DONE -> holds.doneRead(read.input(), entry);
            case OrderEntries.PARKED -> holds.parkedRead(read.input(), entry);
            default -> null; // a hold read back: what it says is known already
        };
        if (hold != null) {
            releaseNext(read.input(), hold);
        }
    }

    /** A hold entry of {@code hold} was acknowledged: if nothing else of its key is left, it is freed now. */
    private void holdConfirmed(TopicPartition partition, Hold hold) {
        hold.unconfirmedHolds--;
        if (holds.hold(partition, hold.key) == hold) {
            releaseNext(partition, hold);
        }
    }

    /** Moves a released key on: fetches its next parked record, or frees it when none is left. */
    private void releaseNext(TopicPartition partition, Hold hold) {
        if (!hold.leaderDone || hold.forwarding || hold.releasing || hold.unconfirmedHolds > 0 || hold.rereading) {
            return; // its hold entry is written first: a later removal of it must never come before it
        }
        if (hold.parkedOffsets.isEmpty()) {
            finish(partition, hold);
            return;
        }
        long entry = hold.parkedEntries.get(0);
        if (entry >= 0) { // else it is not read back yet: reading it back brings it here
            hold.releasing = true;
            reader.request(partition, entry, hold);
        }
    }

    private void fetched(ParkedReader.Fetched fetched) {
        Hold hold = fetched.hold();
        if (holds.hold(fetched.input(), hold.key) != hold) {
            return; // revoked meanwhile
        }
        if (fetched.entry() == null || fetched.entry().removed()) {
            holds.releasedFirst(hold); // gone from the topic (logged): nothing to call
            releaseNext(fetched.input(), hold);
            return;
        }
        if (hold.parkedOffsets.isEmpty() || hold.parkedOffsets.get(0) != fetched.entry().offset()) {
            hold.releasing = false; // not the first parked record any more: fetch that one
            releaseNext(fetched.input(), hold);
            return;
        }
        ConsumerRecord<byte[], byte[]> record = OrderEntries.parkedRecord(fetched.input().topic(),
                fetched.input().partition(), fetched.entry());
        ready.add(new Released(fetched.input(), hold, record, new Attempts(record.offset()), time.millis()));
    }

    private void callReleased() {
        long now = time.millis();
        while (!waiting.isEmpty() && waiting.peek().at() <= now) {
            ready.add(waiting.poll());
        }
        long until = time.nanos() + RELEASED_CALLS_NANOS;
        while (!ready.isEmpty() && !halted.getAsBoolean() && time.nanos() < until) {
            Released released = ready.peek();
            if (holds.hold(released.input(), released.hold().key) != released.hold()) {
                ready.poll();
                continue;
            }
            if (gate != null && gate.isOpen()) {
                if (!gate.probeDue()) {
                    return; // released records wait for the outage's end like every other record
                }
                gate.probing(released.input(), released.record().offset()); // or probe it: nothing else may be waiting
            }
            ready.poll();
            call(released);
        }
    }

    private void call(Released released) {
        Hold hold = released.hold();
        TopicPartition partition = released.input();
        ConsumerRecord<byte[], byte[]> record = released.record();
        RecordOutcome tried = runner.run(record);
        InPlaceRetries.Next next = inPlace.next(record, released.attempts(), tried, time.millis());
        if (next.again()) {
            waiting.add(new Released(partition, hold, record, released.attempts(), next.againAt()));
            return;
        }
        RecordOutcome outcome = next.outcome();
        if (gate != null && !gate.goesOn(partition, record.offset(), record.key(), outcome, outageOver)) {
            ready.addFirst(new Released(partition, hold, record, released.attempts(), time.millis())); // the outage's end
            return;
        }
        if (!outcome.earlier().isEmpty()) {
            meters.failed(outcome.earlier().size());
            meters.retriedInPlace(outcome.earlier().size());
        }
        switch (outcome.kind()) {
            case HANDLED -> {
                meters.handled();
                holds.releasedFirst(hold);
                writes.send(partition, OrderEntries.unpark(orderTopic, partition.partition(), hold.key, record.offset()), null);
                releaseNext(partition, hold);
            }
            case FORWARD -> forwardReleased(partition, hold, record, outcome);
            case STOP_STAGE -> throw (VirtualMachineError) outcome.error();
            default -> hold.releasing = false; // a stop interrupted it: whoever owns the partition next calls it again
        }
    }

    /** A released record failed: it goes into the chain and, unless it is dead-lettered and that releases, leads its key. */
    private void forwardReleased(TopicPartition partition, Hold hold, ConsumerRecord<byte[], byte[]> record, RecordOutcome outcome) {
        meters.failed();
        long offset = record.offset();
        long previous = hold.leader;
        boolean final_ = outcome.targetStage() == deadLetterStage && order.afterDeadLetter() == KeyOrder.AfterDeadLetter.RELEASE;
        ProducerRecord<byte[], byte[]> forward = forwardRecords.of(record, outcome.targetStage(), outcome.error(),
                outcome.earlier(), time.millis());
        hold.forwarding = true;
        hold.releasing = false;
        if (!final_) {
            RetryHeaders.withKeyLeader(forward.headers(), partition.partition(), offset);
            holds.newLeader(partition, hold, offset);
        }
        writes.send(partition, forward, () -> {
            meters.forwarded();
            if (final_) {
                writes.send(partition, OrderEntries.unpark(orderTopic, partition.partition(), hold.key, offset), null);
            } else {
                // the new leader's hold first; only once it is written may the record's parked entry and the old
                // hold go (in that order, the old leader's done entry last): a crash between leaves one hold or the other
                hold.unconfirmedHolds++;
                writes.send(partition, OrderEntries.hold(orderTopic, partition.partition(), hold.key, offset, time.millis()), () -> {
                    writes.send(partition, OrderEntries.unpark(orderTopic, partition.partition(), hold.key, offset), null);
                    removeHoldThenDone(partition, hold.key, previous);
                    holdConfirmed(partition, hold);
                });
            }
            hold.forwarding = false;
            holds.releasedFirst(hold);
            releaseNext(partition, hold);
        });
    }

    /** Removes the hold of {@code key} by {@code leader}, and once that is written its done entry (never the other way round). */
    private void removeHoldThenDone(TopicPartition partition, byte[] key, long leader) {
        writes.send(partition, OrderEntries.unhold(orderTopic, partition.partition(), key, leader),
                () -> writes.send(partition, OrderEntries.undone(orderTopic, partition.partition(), key, leader), null));
    }

    /** Nothing of the key is parked or in the chain: it is free again. */
    private void finish(TopicPartition partition, Hold hold) {
        holds.remove(partition, hold);
        removeHoldThenDone(partition, hold.key, hold.leader);
    }

    /**
     * Whether as many keys are held and records parked as the task allows, as of the last pass of
     * the loop (a poll's records may go past it by at most their number).
     */
    private boolean full() {
        return full;
    }

    /** Milliseconds until it must look again, at most {@code max}. */
    public long millisUntilNextWake(long max) {
        if (!ready.isEmpty()) {
            return gate != null && gate.isOpen() ? Math.min(max, Math.max(5, gate.nextProbeAt() - time.millis())) : 0;
        }
        long wait = writes.millisUntilNextResend(max);
        if (!waiting.isEmpty()) {
            wait = Math.min(wait, Math.max(0, waiting.peek().at() - time.millis()));
        }
        if (writes.inFlight() > 0) {
            wait = Math.min(wait, 5);
        }
        return holds.partitions().isEmpty() || holds.heldKeys() == 0 ? wait : Math.min(wait, HELD_POLL_MS);
    }

    /** What it still keeps, by name. */
    public Map<String, Integer> leftovers() {
        Map<String, Integer> left = new LinkedHashMap<>();
        left.put("held keys", holds.heldKeys());
        left.put("parked records", holds.parked());
        left.put("released records to call", ready.size() + waiting.size());
        return left;
    }

    /** Closes its consumers. */
    public void close() {
        log.close();
        reader.close();
    }
}
