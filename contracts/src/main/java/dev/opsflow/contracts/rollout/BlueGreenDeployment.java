package dev.opsflow.contracts.rollout;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A blue-green release of a new version of one Deployment: the new version runs as the preview
 * colour beside the active one, is analysed behind a preview Service, then the active Service's
 * selector switches to it at once (after an approval when asked). The old colour keeps its pods for
 * the scale-down delay: an abort or a failed post-promotion analysis in that window switches back
 * at once. After the window the original Deployment takes the new version and the preview is scaled
 * to zero.
 *
 * <p>One rollout per Deployment: its workflow ID is {@link RolloutTarget#workflowId()} (shared with
 * {@link CanaryRollout}, so a canary and a blue-green of one Deployment never run at once). Steer
 * it with {@link RolloutControl}'s names.
 */
@WorkflowInterface
public interface BlueGreenDeployment extends RolloutControl {
  /** The workflow type name (tctl, temporal CLI, opsflow start). */
  String TYPE = "BlueGreenDeployment";

  @WorkflowMethod(name = TYPE)
  RolloutStatus deploy(BlueGreenRequest request);
}
