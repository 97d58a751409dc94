package dev.opsflow.contracts.remediation;

import dev.opsflow.contracts.human.Supervised;
import dev.opsflow.contracts.run.AlertNotice;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import java.util.List;

/**
 * What every remediation workflow answers, whatever it fixes, on top of what every supervised
 * workflow answers (approve/reject, retry/skip/fail a failed step, acknowledge, progress). Each
 * procedure's interface extends this and adds its {@code @WorkflowMethod
 * remediate(RemediationRequest)}.
 */
public interface Remediation extends Supervised {
  /** Another firing notice for the problem; a new episode after acting counts as a recurrence. */
  @SignalMethod(name = RemediationSignals.ALERT_FIRED)
  void alertFired(AlertNotice notice);

  /**
   * Firing notices for the problem delivered together (the webhook's batches); each counts as if it
   * had come by {@link #alertFired} on its own, in order.
   */
  @SignalMethod(name = RemediationSignals.NOTICES_FIRED)
  void noticesFired(List<AlertNotice> notices);

  /** The alert resolved: if nothing was done yet, nothing will be. */
  @SignalMethod(name = RemediationSignals.ALERT_RESOLVED)
  void alertResolved(AlertNotice notice);

  /** The blast-radius governor lets this remediation act. */
  @SignalMethod(name = RemediationSignals.ADMITTED)
  void admitted();

  /** Phase, actions taken with timestamps and outcomes, escalations. */
  @QueryMethod(name = RemediationSignals.STATUS)
  RemediationStatus status();
}
