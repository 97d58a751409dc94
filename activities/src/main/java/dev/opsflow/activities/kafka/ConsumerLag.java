package dev.opsflow.activities.kafka;

import java.util.List;
import java.util.Map;

/**
 * How far a consumer group is behind its producers.
 *
 * @param groupId the group measured
 * @param totalLag sum of {@link PartitionLag#lag()} over {@link #partitions()}; partitions without
 *     a committed offset are not counted (their lag is unknown, not "everything")
 * @param partitions every partition with a committed offset, sorted by topic and partition
 * @param partitionsWithoutCommit partitions of the measured topics where the group has never
 *     committed, sorted by topic and partition
 * @param partitionCountByTopic partitions of each measured topic: consumers beyond this count sit
 *     idle, so scaling must never go above it
 */
public record ConsumerLag(
    String groupId,
    long totalLag,
    List<PartitionLag> partitions,
    List<PartitionRef> partitionsWithoutCommit,
    Map<String, Integer> partitionCountByTopic) {}
