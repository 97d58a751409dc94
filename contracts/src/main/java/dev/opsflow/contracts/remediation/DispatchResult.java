package dev.opsflow.contracts.remediation;

/**
 * What happened to a notification.
 *
 * @param workflowId the remediation's workflow ID
 * @param runId the run that received it; empty when none did, or when the notice went to "the
 *     current run" by workflow ID (after losing a start race to another starter)
 * @param outcome {@code delivered} (started, or signalled the running remediation) or {@code
 *     no-running-remediation} (a resolved notice for a problem nobody is remediating)
 */
public record DispatchResult(String workflowId, String runId, String outcome) {
  public static final String DELIVERED = "delivered";
  public static final String NO_RUNNING_REMEDIATION = "no-running-remediation";
}
