package dev.opsflow.contracts.rollout;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A canary release of a new version of one Deployment: traffic moves to the new version step by
 * step (default 5% -> 25% -> 50% -> 100%), each step followed by a durable pause with metric
 * analysis. A failed analysis, an abort or a passed progress deadline rolls back (the new version
 * gets no traffic, the stable one its full capacity); an inconclusive analysis pauses and asks a
 * human, never passes.
 *
 * <p>One rollout per Deployment: its workflow ID is {@link RolloutTarget#workflowId()}. Steer it
 * with {@link RolloutControl}'s names.
 */
@WorkflowInterface
public interface CanaryRollout extends RolloutControl {
  /** The workflow type name (tctl, temporal CLI, opsflow start). */
  String TYPE = "CanaryRollout";

  @WorkflowMethod(name = TYPE)
  RolloutStatus rollout(CanaryRequest request);
}
