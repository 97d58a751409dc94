package dev.opsflow.contracts.human;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;

/**
 * What every workflow a human can steer answers, whatever it does. Approve and reject exist twice
 * under one name: as a signal (the Web UI, tctl, fire-and-forget) and as an Update whose validator
 * refuses a decision that would not count, so the REST API, the CLI and Slack tell the caller at
 * once ("alice is not an approver") instead of dropping it silently. A signal that does not count
 * is recorded in the history and ignored.
 */
public interface Supervised {
  @SignalMethod(name = OperatorNames.APPROVE)
  void approve(Decision decision);

  @SignalMethod(name = OperatorNames.REJECT)
  void reject(Decision decision);

  /** Approves and returns the gate's state; refused by the validator if it would not count. */
  @UpdateMethod(name = OperatorNames.APPROVE)
  ApprovalStatus approveChecked(Decision decision);

  @UpdateValidatorMethod(updateName = OperatorNames.APPROVE)
  void validateApprove(Decision decision);

  @UpdateMethod(name = OperatorNames.REJECT)
  ApprovalStatus rejectChecked(Decision decision);

  @UpdateValidatorMethod(updateName = OperatorNames.REJECT)
  void validateReject(Decision decision);

  /** A step that failed after its retries runs again. */
  @SignalMethod(name = OperatorNames.RETRY_STEP)
  void retryStep(Decision decision);

  /** A step that failed is skipped, where the step allows it (else recorded and ignored). */
  @SignalMethod(name = OperatorNames.SKIP_STEP)
  void skipStep(Decision decision);

  /**
   * A step that failed stays failed: the run does not act on it again and escalates with the
   * failure (a remediation ends ESCALATED). It does not fail the workflow execution.
   */
  @SignalMethod(name = OperatorNames.FAIL_STEP)
  void failStep(Decision decision);

  /** A human has taken the problem: no further rung of the escalation ladder is notified. */
  @SignalMethod(name = OperatorNames.ACKNOWLEDGE)
  void acknowledge(Decision decision);

  @QueryMethod(name = OperatorNames.PROGRESS)
  Progress progress();
}
