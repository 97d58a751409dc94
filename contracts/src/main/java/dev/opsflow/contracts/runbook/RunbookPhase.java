package dev.opsflow.contracts.runbook;

/** Where a runbook execution stands (mirrored in the {@code OpsflowPhase} search attribute). */
public enum RunbookPhase {
  /** Walking its steps. */
  RUNNING,
  /** An approval step, or a failed step's question, waits for a person. */
  WAITING_FOR_HUMAN,
  /** Reached a step with no next step after a success. */
  SUCCEEDED,
  /** A step failed with nowhere to go, or the run could not go on; humans were told why. */
  FAILED,
  /** Cancelled (the Web UI, tctl, the CLI, the REST API). */
  CANCELLED;

  /** Whether the run has ended. */
  public boolean ended() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
