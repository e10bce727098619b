package io.superflux.task;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A task whose {@code call} does what the test says, and which records every call. It also checks,
 * with the real clock, that no retry record is handled before its due time.
 */
class ScriptedTask extends Task<String> {
    /** What a call does; throwing fails it. */
    interface Behaviour {
        void apply(Message<String> message) throws Exception;
    }

    /** One call, with the wall-clock time it started. */
    record Call(Message<String> message, long at) {
    }

    final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Message<String>> handled = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Message<String>> deadLetters = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> earlyCalls = new ConcurrentLinkedQueue<>();
    final AtomicInteger deadLetterHookFailuresLeft = new AtomicInteger();
    private final Behaviour behaviour;

    ScriptedTask(TaskSpec<String> spec, Behaviour behaviour) {
        super(spec);
        this.behaviour = behaviour;
    }

    /** A task whose calls fail in stage 0 with {@code IllegalStateException(message)} and succeed in every later stage. */
    static ScriptedTask failingInStageZero(TaskSpec<String> spec, String message) {
        return new ScriptedTask(spec, m -> {
            if (m.stage() == 0) {
                throw new IllegalStateException(message);
            }
        });
    }

    @Override
    public void call(Message<String> message) throws Exception {
        long now = System.currentTimeMillis();
        message.dueAt().ifPresent(due -> {
            if (now < due.toEpochMilli()) {
                earlyCalls.add(message + " handled " + (due.toEpochMilli() - now) + " ms early");
            }
        });
        calls.add(new Call(message, now));
        behaviour.apply(message);
        handled.add(message);
    }

    @Override
    public void deadLetter(Message<String> message) throws Exception {
        if (deadLetterHookFailuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IllegalStateException("dead-letter hook failing on purpose");
        }
        deadLetters.add(message);
    }

    List<Call> callsInStage(int stage) {
        return calls.stream().filter(c -> c.message().stage() == stage).toList();
    }
}
