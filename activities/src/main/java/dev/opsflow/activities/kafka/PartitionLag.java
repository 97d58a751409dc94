package dev.opsflow.activities.kafka;

/**
 * Lag of one partition.
 *
 * @param committedOffset the group's committed offset (next record it will read)
 * @param endOffset the partition's latest offset (offset of the next record to be written)
 * @param lag {@code endOffset - committedOffset}, never below zero
 */
public record PartitionLag(
    String topic, int partition, long committedOffset, long endOffset, long lag) {}
