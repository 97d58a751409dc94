package dev.opsflow.workflows.remediation;

import dev.opsflow.contracts.human.ApprovalStatus;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.Progress;
import dev.opsflow.contracts.remediation.Remediation;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationStatus;
import dev.opsflow.contracts.run.AlertNotice;
import dev.opsflow.workflows.human.FailedStep;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Workflow;
import java.util.List;

/**
 * The workflow method, signal, update and query handlers every remediation has, delegating to its
 * {@link RemediationRun}. Procedures extend this and write only their runbook.
 */
public abstract class RemediationHandlers implements Remediation {
  protected final RemediationRun run = new RemediationRun();

  /**
   * Every procedure's {@code @WorkflowMethod}: begins the run, follows the runbook; on cancellation
   * records who cancelled and cleans up before the run ends as cancelled; on any other failure
   * tells humans why, releases what the run holds and ends the run FAILED with that reason.
   */
  public final RemediationOutcome remediate(RemediationRequest request) {
    RequestValidation.require(Workflow.getInfo().getWorkflowType(), request);
    try {
      run.begin(request);
      // A run continued as new in the cooldown has acted already: it only finishes the cooldown.
      return run.resumedCooldown().orElseGet(() -> runbook(request));
    } catch (CanceledFailure e) {
      run.cancelled();
      throw e;
    } catch (RuntimeException e) {
      // Every failure ends in a decision: escalated with its reason, never a stuck run.
      return run.failed(e);
    }
  }

  /** The procedure: confirm and admit, act, verify, then fixed or escalate. */
  protected abstract RemediationOutcome runbook(RemediationRequest request);

  @Override
  public void alertFired(AlertNotice notice) {
    run.noticeFired(notice);
  }

  @Override
  public void noticesFired(List<AlertNotice> notices) {
    if (notices != null) {
      notices.forEach(run::noticeFired);
    }
  }

  @Override
  public void alertResolved(AlertNotice notice) {
    run.noticeResolved(notice);
  }

  @Override
  public void admitted() {
    run.noticeAdmitted();
  }

  @Override
  public RemediationStatus status() {
    return run.status();
  }

  @Override
  public void approve(Decision decision) {
    run.decideWhenBegun(decision, true);
  }

  @Override
  public void reject(Decision decision) {
    run.decideWhenBegun(decision, false);
  }

  @Override
  public ApprovalStatus approveChecked(Decision decision) {
    return run.decide(decision, true);
  }

  @Override
  public void validateApprove(Decision decision) {
    run.validateDecision(decision);
  }

  @Override
  public ApprovalStatus rejectChecked(Decision decision) {
    return run.decide(decision, false);
  }

  @Override
  public void validateReject(Decision decision) {
    run.validateDecision(decision);
  }

  @Override
  public void retryStep(Decision decision) {
    run.answerFailedStep(FailedStep.Answer.RETRY, decision);
  }

  @Override
  public void skipStep(Decision decision) {
    run.answerFailedStep(FailedStep.Answer.SKIP, decision);
  }

  @Override
  public void failStep(Decision decision) {
    run.answerFailedStep(FailedStep.Answer.FAIL, decision);
  }

  @Override
  public void acknowledge(Decision decision) {
    run.acknowledge(decision);
  }

  @Override
  public Progress progress() {
    return run.progress();
  }
}
