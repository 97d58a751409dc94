package dev.opsflow.contracts.rollout;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The ML model release pipeline, in four steps: (1) {@code validate_model}: the candidate's
 * accuracy on the model server's validation set must reach {@code acceptanceThreshold}, else the
 * run ends {@link RolloutPhase#REJECTED} with nothing deployed; (2) {@code deploy_canary}: the
 * candidate takes {@code trafficPercentage} of the traffic for {@code monitoringDuration} (a
 * durable wait) while its accuracy, latency and error rate are measured against the production
 * version's; (3) {@code evaluate_canary}: that analysis decides; (4) {@code full_deployment}: a
 * {@link BlueGreenDeployment} of the candidate, run as a child workflow, only when the canary
 * passed. A deployment failure or a performance degradation rolls back; the rollback is measured
 * and one longer than {@code maxRollbackTime} escalates to a human.
 *
 * <p>One rollout per Deployment: its workflow ID is {@link RolloutTarget#workflowId()}, shared with
 * {@link CanaryRollout} and {@link BlueGreenDeployment}. Steer it with {@link RolloutControl}'s
 * names; during the full deployment they are passed on to the blue-green child.
 */
@WorkflowInterface
public interface MlModelDeployment extends RolloutControl {
  /** The workflow type name (tctl, temporal CLI, opsflow start). */
  String TYPE = "MlModelDeployment";

  @WorkflowMethod(name = TYPE)
  RolloutStatus deploy(MlDeploymentRequest request);
}
