package dev.opsflow.contracts.remediation;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Disk usage above DISK_SPACE_THRESHOLD in a Deployment's pods: delete log files older than
 * LOG_MAX_AGE, only under the configured LOG_PATHS (exec in each pod); verify usage fell below the
 * threshold; escalate if not. Target: namespace, deployment, podSelector (optional).
 */
@WorkflowInterface
public interface DiskPressureRemediation extends Remediation {
  @WorkflowMethod
  RemediationOutcome remediate(RemediationRequest request);
}
