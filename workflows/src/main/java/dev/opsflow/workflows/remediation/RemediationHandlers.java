package dev.opsflow.workflows.remediation;

import dev.opsflow.activities.dispatch.AlertNotice;

/**
 * The signal and query handlers every remediation has, delegating to its {@link RemediationRun}.
 * Procedures extend this and write only their runbook in {@code remediate}.
 */
public abstract class RemediationHandlers implements Remediation {
  protected final RemediationRun run = new RemediationRun();

  @Override
  public void alertFired(AlertNotice notice) {
    run.noticeFired(notice);
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
}
