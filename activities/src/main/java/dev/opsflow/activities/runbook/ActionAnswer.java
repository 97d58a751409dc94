package dev.opsflow.activities.runbook;

/**
 * What an action did.
 *
 * @param result what it answered, as JSON ({@code steps.ID.result} later)
 * @param changed false when the target was already as asked (or the action only read)
 * @param detail what changed, in a line ("demo/orders scaled 2 -> 4")
 * @param attempt the activity attempt that answered (1 the first, 2 after one retry; 0 unknown)
 */
public record ActionAnswer(Object result, boolean changed, String detail, int attempt) {
  public ActionAnswer(Object result, boolean changed, String detail) {
    this(result, changed, detail, 0);
  }

  ActionAnswer withAttempt(int attempt) {
    return new ActionAnswer(result, changed, detail, attempt);
  }
}
