package dev.opsflow.activities.kafka;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Read-only questions about Kafka consumer groups, answered with the Kafka AdminClient. Run them
 * with {@link KafkaOptions#READ_KAFKA}.
 *
 * <p>Failures: {@code InvalidInput} for a missing group id, {@code InvalidName} for a group id or
 * topic that cannot be one ({@link KafkaNames}; checked before the broker is asked), {@code
 * NotFound} for an unknown group or topic, {@code PermissionDenied} when the cluster refuses our
 * credentials or ACLs (all non-retryable). A broker that cannot be reached or answers too slowly
 * fails the attempt with the retryable type {@value KafkaActivitiesImpl#UNAVAILABLE}; other Kafka
 * errors with the retryable type {@value KafkaActivitiesImpl#KAFKA_ERROR}.
 */
@ActivityInterface
public interface KafkaActivities {

  /**
   * Measures how far a consumer group is behind: for every partition with a committed offset, the
   * latest offset minus the committed offset. Partitions where the group never committed are listed
   * apart and not counted, and the partition count of each topic is reported, because consumers
   * must never be scaled beyond it.
   *
   * <p>Read-only, so safe to retry and to call any number of times.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code InvalidInput} if the group id is missing
   *     or invalid; {@code NotFound} if the group does not exist or the requested topic does not
   *     exist; {@code PermissionDenied} if describing the group or topic is not authorised; a
   *     retryable failure if the cluster is unreachable
   */
  @ActivityMethod
  ConsumerLag consumerGroupLag(ConsumerLagRequest request);

  /**
   * Describes a consumer group: its state, how many consumers are in it and which topics it
   * consumes (assigned or with committed offsets).
   *
   * <p>Read-only, so safe to retry and to call any number of times.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code InvalidInput} if the group id is missing
   *     or invalid; {@code NotFound} if no such group exists (Kafka reports it as dead and it has
   *     no committed offsets); {@code PermissionDenied} if describing the group is not authorised;
   *     a retryable failure if the cluster is unreachable
   */
  @ActivityMethod
  ConsumerGroupSummary describeConsumerGroup(String groupId);
}
