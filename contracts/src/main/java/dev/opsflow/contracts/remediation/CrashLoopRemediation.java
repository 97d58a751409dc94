package dev.opsflow.contracts.remediation;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Pods of a Deployment in a restart loop (CrashLoopBackOff): one rollout restart, as {@code kubectl
 * rollout restart} does; verify the new pods run; escalate if they loop again. At most one restart
 * per cooldown however often the alert fires. Never deletes pods. Target: namespace, deployment.
 */
@WorkflowInterface
public interface CrashLoopRemediation extends Remediation {
  @WorkflowMethod
  RemediationOutcome remediate(RemediationRequest request);
}
