package dev.opsflow.activities.kafka;

/** One partition of a topic. */
public record PartitionRef(String topic, int partition) {}
