package dev.opsflow.contracts.human;

import java.util.List;

/**
 * Something a run waits for a human to decide: an approval, or a failed step (retry, skip, fail).
 * The approvals inbox ({@code opsflow approvals}, {@code GET /api/approvals}) lists these.
 *
 * @param kind {@link #APPROVAL} or {@link #FAILED_STEP}
 * @param action what the run wants to do (or the step that failed)
 * @param detail why it asks (for a failed step: the error after the last retry)
 * @param requestedBy who or what asked (the automaton is {@code opsflow})
 * @param approvers whose decisions count; empty = any operator
 * @param required approvals needed; {@code approvals} so far
 * @param sinceMillis when the run started waiting
 * @param deadlineMillis when the wait times out (its policy then applies)
 * @param choices the signals that answer it, e.g. {@code [approve, reject]}
 */
public record HumanTask(
    String kind,
    String action,
    String detail,
    String requestedBy,
    List<String> approvers,
    int required,
    int approvals,
    long sinceMillis,
    long deadlineMillis,
    List<String> choices) {
  public static final String APPROVAL = "approval";
  public static final String FAILED_STEP = "failedStep";

  public HumanTask {
    approvers = approvers == null ? List.of() : List.copyOf(approvers);
    choices = choices == null ? List.of() : List.copyOf(choices);
  }
}
