package dev.opsflow.contracts.rollout;

import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.OperatorNames;
import dev.opsflow.contracts.human.Supervised;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;

/**
 * What every rollout answers, whatever kind (canary, blue-green, ML model deployment): the kernel's
 * human controls ({@link Supervised}: approve, reject, failed steps, acknowledge) plus the
 * rollout's own ({@link RolloutNames}). Each command is an Update whose validator refuses, with the
 * reason, a command that would not count in the rollout's state ("not paused", "already rolled
 * back"), and a signal of the same name for the Web UI and tctl.
 */
public interface RolloutControl extends Supervised {
  @UpdateMethod(name = RolloutNames.PAUSE)
  RolloutStatus pauseChecked(Decision decision);

  @UpdateValidatorMethod(updateName = RolloutNames.PAUSE)
  void validatePause(Decision decision);

  @SignalMethod(name = RolloutNames.PAUSE)
  void pause(Decision decision);

  @UpdateMethod(name = RolloutNames.RESUME)
  RolloutStatus resumeChecked(Decision decision);

  @UpdateValidatorMethod(updateName = RolloutNames.RESUME)
  void validateResume(Decision decision);

  @SignalMethod(name = RolloutNames.RESUME)
  void resume(Decision decision);

  @UpdateMethod(name = RolloutNames.PROMOTE)
  RolloutStatus promoteChecked(Decision decision);

  @UpdateValidatorMethod(updateName = RolloutNames.PROMOTE)
  void validatePromote(Decision decision);

  @SignalMethod(name = RolloutNames.PROMOTE)
  void promote(Decision decision);

  @UpdateMethod(name = RolloutNames.PROMOTE_FULL)
  RolloutStatus promoteFullChecked(Decision decision);

  @UpdateValidatorMethod(updateName = RolloutNames.PROMOTE_FULL)
  void validatePromoteFull(Decision decision);

  @SignalMethod(name = RolloutNames.PROMOTE_FULL)
  void promoteFull(Decision decision);

  @UpdateMethod(name = RolloutNames.ABORT)
  RolloutStatus abortChecked(Decision decision);

  @UpdateValidatorMethod(updateName = RolloutNames.ABORT)
  void validateAbort(Decision decision);

  @SignalMethod(name = RolloutNames.ABORT)
  void abort(Decision decision);

  @UpdateMethod(name = RolloutNames.RETRY)
  RolloutStatus retryChecked(Decision decision);

  @UpdateValidatorMethod(updateName = RolloutNames.RETRY)
  void validateRetry(Decision decision);

  @SignalMethod(name = RolloutNames.RETRY)
  void retry(Decision decision);

  /** The rollout's state: step, weights, pause, the last measurement of every metric, timeline. */
  @QueryMethod(name = OperatorNames.STATUS)
  RolloutStatus status();
}
