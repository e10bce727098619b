package io.superflux.retry;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The stages of a task with input topic {@code t}, consumer group {@code g} and {@code N} retries,
 * named as the Ruby Super::Flux named them:
 *
 * <table>
 * <caption>Stages</caption>
 * <tr><th>stage</th><th>topic</th><th>group</th></tr>
 * <tr><td>0 (main)</td><td>{@code t}</td><td>{@code g}</td></tr>
 * <tr><td>n = 1..N (retry)</td><td>{@code t-g-try-n}</td><td>{@code g-n}</td></tr>
 * <tr><td>N+1 (dead letter)</td><td>{@code t-g-dlq}</td><td>{@code g-(N+1)}</td></tr>
 * </table>
 *
 * A failure in stage s &lt; N+1 forwards the record to stage s+1.
 */
public final class StagePlan {
    private final String topic;
    private final String group;
    private final int retries;
    private final List<Stage> stages;

    private StagePlan(String topic, String group, int retries) {
        this.topic = topic;
        this.group = group;
        this.retries = retries;
        List<Stage> all = new ArrayList<>(retries + 2);
        all.add(new Stage(0, topic, group, Stage.Kind.MAIN));
        for (int n = 1; n <= retries; n++) {
            all.add(new Stage(n, topic + "-" + group + "-try-" + n, group + "-" + n, Stage.Kind.RETRY));
        }
        all.add(new Stage(retries + 1, topic + "-" + group + "-dlq", group + "-" + (retries + 1), Stage.Kind.DEAD_LETTER));
        this.stages = List.copyOf(all);
    }

    /**
     * The plan of a task.
     *
     * @throws IllegalArgumentException if {@code retries} is negative or a name is empty
     */
    public static StagePlan of(String topic, String group, int retries) {
        if (Objects.requireNonNull(topic, "topic").isEmpty() || Objects.requireNonNull(group, "group").isEmpty()) {
            throw new IllegalArgumentException("topic and group must not be empty");
        }
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be 0 or more, not " + retries);
        }
        return new StagePlan(topic, group, retries);
    }

    /** Every stage, 0..N+1. */
    public List<Stage> stages() {
        return stages;
    }

    /** Stage {@code number}. */
    public Stage stage(int number) {
        if (number < 0 || number > deadLetterStage()) {
            throw new IllegalArgumentException("stage " + number + " is out of range 0.." + deadLetterStage());
        }
        return stages.get(number);
    }

    /** The input topic. */
    public String inputTopic() {
        return topic;
    }

    /** The consumer group of the main stage. */
    public String group() {
        return group;
    }

    /** N, the number of retry stages. */
    public int retries() {
        return retries;
    }

    /** N+1, the dead-letter stage. */
    public int deadLetterStage() {
        return retries + 1;
    }

    /** Every topic of the plan, stage order. */
    public List<String> topics() {
        return stages.stream().map(Stage::topic).toList();
    }

    @Override
    public String toString() {
        return "StagePlan[" + topic + ", group " + group + ", " + retries + " retries]";
    }
}
