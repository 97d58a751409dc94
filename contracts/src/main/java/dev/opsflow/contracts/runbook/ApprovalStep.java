package dev.opsflow.contracts.runbook;

import java.util.List;
import java.util.Map;

/**
 * The kernel's human gate: waits until enough approvers approve, one rejects, or time runs out.
 *
 * @param approvers user names whose decisions count
 * @param required approvals needed (N of M), at least 1 and at most the number of approvers
 * @param fourEyes the run's requester cannot approve
 * @param timeout how long to wait, e.g. {@code 30m}
 * @param onTimeout {@code escalate}, {@code reject} or {@code approve}, as in {@code
 *     ApprovalPolicy}
 * @param onSuccess where an approval goes
 * @param onFailure where a rejection (or a timeout that rejects) goes
 */
public record ApprovalStep(
    String id,
    String description,
    String message,
    List<String> approvers,
    Integer required,
    Boolean fourEyes,
    String timeout,
    String onTimeout,
    String onSuccess,
    String onFailure)
    implements RunbookStep {
  public ApprovalStep {
    approvers = approvers == null ? List.of() : List.copyOf(approvers);
  }

  @Override
  public Map<String, String> transitions() {
    return Transitions.of("onSuccess", onSuccess, "onFailure", onFailure);
  }
}
