package dev.opsflow.activities.dispatch;

import dev.opsflow.contracts.remediation.ActionMark;
import dev.opsflow.contracts.remediation.AdmissionRequest;
import dev.opsflow.contracts.remediation.DispatchResult;
import dev.opsflow.contracts.remediation.RemediationRequest;
import io.temporal.activity.ActivityInterface;

/**
 * Lets workflows use the dispatch path: watchdogs start remediations exactly as the webhook does,
 * and remediations talk to the blast-radius governor (which may not be running yet, hence
 * signal-with-start from an activity rather than a workflow-to-workflow signal).
 */
@ActivityInterface
public interface DispatchActivities {
  /** Delivers a notice to its remediation (signal-with-start). Idempotent per episode. */
  DispatchResult dispatch(RemediationRequest request);

  /** Asks the governor for a slot; the answer arrives as the {@code admitted} signal. */
  void requestAdmission(AdmissionRequest request);

  /** Gives the slot back; releasing a slot not held is a no-op. */
  void releaseAdmission(String workflowId);

  /** Tells the governor an action on a problem is about to happen (before it happens). */
  void recordAction(ActionMark mark);

  /** The last action on a problem still inside its cooldown, or null when there is none. */
  ActionMark lastAction(String problem);
}
