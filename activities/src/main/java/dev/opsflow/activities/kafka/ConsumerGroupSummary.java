package dev.opsflow.activities.kafka;

import java.util.List;

/**
 * What a consumer group is doing now.
 *
 * @param groupId the group
 * @param state the group state as Kafka reports it: {@code STABLE}, {@code EMPTY} (no consumers
 *     running), {@code PREPARING_REBALANCE}, {@code COMPLETING_REBALANCE}, {@code ASSIGNING},
 *     {@code RECONCILING}, {@code DEAD} or {@code UNKNOWN}
 * @param memberCount consumers currently in the group; 0 means they have stopped
 * @param topics topics the group is assigned or has committed offsets for, sorted
 */
public record ConsumerGroupSummary(
    String groupId, String state, int memberCount, List<String> topics) {}
