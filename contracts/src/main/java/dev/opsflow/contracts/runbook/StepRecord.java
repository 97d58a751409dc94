package dev.opsflow.contracts.runbook;

/**
 * One step the run took (or, in a dry run, walked), in the order taken.
 *
 * @param stepId the step's id
 * @param type {@code check}, {@code action}, {@code decision}, {@code notify}, {@code wait}, {@code
 *     approval}, {@code parallel} or {@code loop}
 * @param scope where it ran: "" at the top, {@code LOOP[3]} in a loop's fourth pass, {@code
 *     PARALLEL/FIRST} in a parallel step's branch starting at {@code FIRST} (nested scopes joined
 *     by {@code /})
 * @param outcome how it ended
 * @param startedAtMillis workflow time it began
 * @param endedAtMillis workflow time it ended
 * @param attempts the activity attempts a check or action took when it answered (retries by its
 *     retry policy included; 1 for a notify), 0 when it failed or ran nothing (a wait, a gate, a
 *     decision)
 * @param result what it answered (a check's probe answer, an action's result, a decision's branch),
 *     JSON-friendly; null when nothing
 * @param detail what happened, in the operator's words (why it failed, what a dry run would do)
 * @param next the step the run went to from here ("" when the run, body or branch ended)
 */
public record StepRecord(
    String stepId,
    String type,
    String scope,
    StepOutcome outcome,
    long startedAtMillis,
    long endedAtMillis,
    int attempts,
    Object result,
    String detail,
    String next) {
  public StepRecord {
    scope = scope == null ? "" : scope;
    detail = detail == null ? "" : detail;
    next = next == null ? "" : next;
  }

  /** How one step ended. */
  public enum StepOutcome {
    SUCCEEDED,
    FAILED,
    /** A dry run reports the action instead of taking it; its onSuccess is followed. */
    PLANNED
  }
}
