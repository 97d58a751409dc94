package dev.opsflow.workflows.planted;

import org.apache.kafka.clients.admin.Admin;

/**
 * Planted: a workflow implementation (found by its @WorkflowInterface, not by an Impl suffix) that
 * holds a Kafka client instead of calling an activity.
 */
public class DirectKafkaLagCheck implements LagCheck {
  private Admin kafka;

  @Override
  public LagReport check(String consumerGroup) {
    return new LagReport(consumerGroup, kafka == null ? 0 : 1);
  }
}
