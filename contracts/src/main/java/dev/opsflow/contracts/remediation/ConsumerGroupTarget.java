package dev.opsflow.contracts.remediation;

import java.util.List;

/**
 * A Kafka consumer group and the Deployment that runs its consumers: what the lag remediation
 * scales.
 *
 * @param namespace Kubernetes namespace of the consumers
 * @param deployment the consumers' Deployment
 * @param consumerGroup the Kafka consumer group
 * @param topic the topic whose lag counts (empty = every topic of the group)
 */
public record ConsumerGroupTarget(
    String namespace, String deployment, String consumerGroup, String topic) implements Target {
  static final List<String> FIELDS = List.of("namespace", "deployment", "consumerGroup", "topic");

  public ConsumerGroupTarget {
    namespace = Target.orEmpty(namespace);
    deployment = Target.orEmpty(deployment);
    consumerGroup = Target.orEmpty(consumerGroup);
    topic = Target.orEmpty(topic);
  }

  @Override
  public java.util.Map<String, String> fields() {
    return Target.named(FIELDS, namespace, deployment, consumerGroup, topic);
  }

  @Override
  public List<String> keyParts() {
    return Target.present(namespace, deployment, consumerGroup, topic);
  }
}
