package dev.opsflow.activities.kafka;

/**
 * Which consumer group's lag to measure.
 *
 * @param groupId the consumer group id (required)
 * @param topic one topic to measure; {@code null} or empty measures every topic the group has
 *     committed offsets for or is assigned
 */
public record ConsumerLagRequest(String groupId, String topic) {

  /** Lag of {@code groupId} on every topic it consumes. */
  public static ConsumerLagRequest allTopics(String groupId) {
    return new ConsumerLagRequest(groupId, null);
  }
}
