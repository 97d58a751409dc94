package dev.opsflow.workflows.remediation;

import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.remediation.Remediation;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationStatus;
import dev.opsflow.contracts.run.AlertNotice;
import dev.opsflow.workflows.kernel.ProcedureRun;
import dev.opsflow.workflows.kernel.SupervisedHandlers;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Workflow;
import java.util.List;

/**
 * The workflow method, signal, update and query handlers every remediation has, delegating to its
 * {@link RemediationRun}; the human's handlers are the kernel's ({@link SupervisedHandlers}).
 * Procedures extend this and write only their runbook.
 */
public abstract class RemediationHandlers extends SupervisedHandlers implements Remediation {
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

  // ---- the kernel's Supervised handlers, for a run that may hear a human before it began ----

  @Override
  protected ProcedureRun supervised() {
    return run.kernel();
  }

  @Override
  protected void whenBegun(Runnable effect) {
    run.whenBegun(effect);
  }

  @Override
  protected void beforeDecision(Decision decision) {
    run.awaitBegun(decision);
  }

  @Override
  protected boolean decisionCheckedLater() {
    return run.decisionCheckedLater();
  }
}
