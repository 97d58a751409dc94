package dev.opsflow.contracts.remediation;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A container OOMKilled: raise its memory limit (and request) like the VPA does, up to
 * MEMORY_CEILING; verify the rollout; a second OOM inside the cooldown, or a limit already at the
 * ceiling, escalates instead of raising again. Target: namespace, deployment, container (optional).
 */
@WorkflowInterface
public interface OomRemediation extends Remediation {
  @WorkflowMethod
  RemediationOutcome remediate(RemediationRequest request);
}
