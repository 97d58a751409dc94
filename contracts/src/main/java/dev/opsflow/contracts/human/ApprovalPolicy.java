package dev.opsflow.contracts.human;

import java.util.List;

/**
 * Who may approve, how many must, and what happens when nobody decides in time.
 *
 * @param approvers user names (as the caller identifies them, e.g. the Slack user) whose decisions
 *     count; anyone else's is recorded and ignored
 * @param required approvals needed (N of M); one rejection by an approver rejects
 * @param fourEyes the requester cannot approve their own request
 * @param timeoutSeconds how long to wait (hours or days are fine: a durable timer)
 * @param onTimeout {@code escalate} (hand to the next level), {@code reject}, or {@code approve}
 *     (only where configured on purpose)
 */
public record ApprovalPolicy(
    List<String> approvers, int required, boolean fourEyes, long timeoutSeconds, String onTimeout) {
  public static final String ESCALATE = "escalate";
  public static final String REJECT = "reject";
  public static final String APPROVE = "approve";

  public ApprovalPolicy {
    approvers = approvers == null ? List.of() : List.copyOf(approvers);
    onTimeout = onTimeout == null || onTimeout.isBlank() ? ESCALATE : onTimeout;
    if (required < 1 || required > Math.max(1, approvers.size())) {
      throw new IllegalArgumentException(
          "required must be between 1 and the number of approvers ("
              + approvers.size()
              + "), got "
              + required);
    }
    if (!List.of(ESCALATE, REJECT, APPROVE).contains(onTimeout)) {
      throw new IllegalArgumentException(
          "onTimeout must be escalate, reject or approve, got '" + onTimeout + "'");
    }
  }
}
