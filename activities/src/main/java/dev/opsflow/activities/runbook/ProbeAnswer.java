package dev.opsflow.activities.runbook;

/**
 * What a probe read.
 *
 * @param passed the probe's own verdict (an HTTP status as expected, a condition that holds, exit
 *     code 0, a query that matched something); a check's {@code condition}, when it has one,
 *     decides instead
 * @param result what the probe read, as JSON ({@code result} in the check's condition, {@code
 *     steps.ID.result} later): a number or a list of numbers for PromQL, rows for SQL, {@code
 *     {status, body}} for HTTP, {@code {status, reason}} for a condition, {@code {exitCode,
 *     stdout}} for a command
 * @param detail what was read, in a line
 * @param attempt the activity attempt that answered (1 the first, 2 after one retry; 0 unknown)
 */
public record ProbeAnswer(boolean passed, Object result, String detail, int attempt) {
  public ProbeAnswer(boolean passed, Object result, String detail) {
    this(passed, result, detail, 0);
  }

  ProbeAnswer withAttempt(int attempt) {
    return new ProbeAnswer(passed, result, detail, attempt);
  }
}
