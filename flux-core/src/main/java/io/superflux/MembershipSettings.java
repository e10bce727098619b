package io.superflux;

import java.util.Objects;
import java.util.Optional;

/**
 * How stage consumers belong to their groups ({@code flux.consumer.instance-id},
 * {@code flux.consumer.leave-group-on-shutdown}).
 *
 * @param instanceId           when present, static membership (KIP-345): every stage consumer
 *                             gets {@code group.instance.id = <instanceId>-<stage group>}, so a
 *                             process restarted with the same id gets its partitions back at once
 * @param leaveGroupOnShutdown whether a graceful stop leaves the group (partitions move at once);
 *                             false keeps a static member's partitions waiting for it up to
 *                             {@code session.timeout.ms}. Dynamic members always leave.
 */
public record MembershipSettings(Optional<String> instanceId, boolean leaveGroupOnShutdown) {
    /** Checks the fields are there. */
    public MembershipSettings {
        Objects.requireNonNull(instanceId, "instanceId");
    }

    /** The {@code group.instance.id} of the consumer of {@code stageGroup}, if static. */
    public Optional<String> groupInstanceId(String stageGroup) {
        return instanceId.map(id -> id + "-" + stageGroup);
    }
}
