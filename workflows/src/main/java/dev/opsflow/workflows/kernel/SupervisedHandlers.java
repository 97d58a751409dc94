package dev.opsflow.workflows.kernel;

import dev.opsflow.contracts.human.ApprovalStatus;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.Progress;
import dev.opsflow.contracts.human.Supervised;
import dev.opsflow.workflows.human.FailedStep;

/**
 * The {@link Supervised} handlers of any procedure on the kernel (remediations, the failover, a
 * rollout): approve and reject as signals and as checked Updates, retry/skip/fail a failed step,
 * acknowledge, and the {@code progress} query, each forwarded to the family's {@link ProcedureRun}.
 * A family extends this, names its run ({@link #supervised()}) and writes only its runbook and its
 * own handlers.
 *
 * <p>A run that may hear a human before it has begun (a remediation is signalled-with-start, so a
 * signal can land before the workflow method ran) overrides the three hooks; by default a run has
 * begun before any handler runs, as a workflow started with its input has.
 */
public abstract class SupervisedHandlers implements Supervised {
  /** The run every handler forwards to. */
  protected abstract ProcedureRun supervised();

  /** Runs a signal's effect: by default at once; a late-beginning run holds it until it began. */
  protected void whenBegun(Runnable effect) {
    effect.run();
  }

  /**
   * Before an approve/reject Update decides: by default nothing; a late-beginning run waits here
   * until it began and checks the decision again.
   */
  protected void beforeDecision(Decision decision) {}

  /**
   * True when the Update validator must let a decision through unchecked because the run cannot
   * judge it yet (it is checked again in {@link #beforeDecision}); false by default.
   */
  protected boolean decisionCheckedLater() {
    return false;
  }

  @Override
  public void approve(Decision decision) {
    whenBegun(() -> supervised().decide(decision, true));
  }

  @Override
  public void reject(Decision decision) {
    whenBegun(() -> supervised().decide(decision, false));
  }

  @Override
  public ApprovalStatus approveChecked(Decision decision) {
    beforeDecision(decision);
    return supervised().decide(decision, true);
  }

  @Override
  public void validateApprove(Decision decision) {
    validate(decision);
  }

  @Override
  public ApprovalStatus rejectChecked(Decision decision) {
    beforeDecision(decision);
    return supervised().decide(decision, false);
  }

  @Override
  public void validateReject(Decision decision) {
    validate(decision);
  }

  @Override
  public void retryStep(Decision decision) {
    whenBegun(() -> supervised().answerFailedStep(FailedStep.Answer.RETRY, decision));
  }

  @Override
  public void skipStep(Decision decision) {
    whenBegun(() -> supervised().answerFailedStep(FailedStep.Answer.SKIP, decision));
  }

  @Override
  public void failStep(Decision decision) {
    whenBegun(() -> supervised().answerFailedStep(FailedStep.Answer.FAIL, decision));
  }

  @Override
  public void acknowledge(Decision decision) {
    whenBegun(() -> supervised().acknowledge(decision));
  }

  @Override
  public Progress progress() {
    return supervised().progress();
  }

  private void validate(Decision decision) {
    if (!decisionCheckedLater()) {
      supervised().validateDecision(decision);
    }
  }
}
