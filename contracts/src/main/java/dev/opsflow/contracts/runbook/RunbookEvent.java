package dev.opsflow.contracts.runbook;

/**
 * One event of a run, kept in its status and delivered once to each subscriber (the webhooks the
 * server configures for runbook events).
 *
 * @param sequence 1 for the first event of the run, then 2, 3 ...: with the workflow ID it is the
 *     event's identity, which a subscriber uses to drop a redelivery
 * @param type one of the constants here, e.g. {@link #STEP_FAILED}
 * @param runbookId the runbook's id
 * @param workflowId the run's workflow ID
 * @param stepId the step (null for an execution event)
 * @param atMillis workflow time it happened
 * @param detail what happened, in the operator's words
 */
public record RunbookEvent(
    int sequence,
    String type,
    String runbookId,
    String workflowId,
    String stepId,
    long atMillis,
    String detail) {
  public static final String EXECUTION_STARTED = "execution:started";
  public static final String STEP_STARTED = "step:started";
  public static final String STEP_SUCCEEDED = "step:succeeded";
  public static final String STEP_FAILED = "step:failed";
  public static final String EXECUTION_COMPLETED = "execution:completed";
  public static final String EXECUTION_FAILED = "execution:failed";

  public RunbookEvent {
    detail = detail == null ? "" : detail;
  }
}
