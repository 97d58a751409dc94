package dev.opsflow.contracts.remediation;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Kafka consumer lag above KAFKA_LAG_THRESHOLD: scale the consumer Deployment up, proportionally to
 * the backlog, never above MAX_REPLICAS nor the topic's partition count; verify the lag falls;
 * escalate if it does not. Target: namespace, deployment, consumerGroup (topic optional).
 */
@WorkflowInterface
public interface KafkaLagRemediation extends Remediation {
  @WorkflowMethod
  RemediationOutcome remediate(RemediationRequest request);
}
