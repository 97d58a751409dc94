package dev.opsflow.contracts.human;

/**
 * The names an operator types: signals, updates and queries every supervised workflow answers (the
 * Web UI, tctl, the temporal CLI, Slack buttons, the REST API and the opsflow CLI all use these).
 */
public final class OperatorNames {
  /** Signal and Update: approve the pending request ({@link Decision} payload). */
  public static final String APPROVE = "approve";

  /** Signal and Update: reject the pending request. */
  public static final String REJECT = "reject";

  /** Signal: a step that failed after its retries is tried again. */
  public static final String RETRY_STEP = "retryStep";

  /** Signal: a step that failed is skipped (only where the step allows it). */
  public static final String SKIP_STEP = "skipStep";

  /** Signal: a step that failed stays failed; the run escalates to a human (and compensates). */
  public static final String FAIL_STEP = "failStep";

  /** Signal: a human has taken the problem; the escalation ladder stops before the next rung. */
  public static final String ACKNOWLEDGE = "acknowledge";

  /** Query: the same shape for every workflow type (phase, step, history, what waits for whom). */
  public static final String PROGRESS = "progress";

  /** Query: the workflow type's own detailed status. */
  public static final String STATUS = "status";

  private OperatorNames() {}
}
