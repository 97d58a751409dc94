package dev.opsflow.config;

import java.util.List;

/**
 * How humans take part in one procedure (a workflow type), from the {@code procedures:} section of
 * {@code opsflow.yaml}. Anything left out falls back to the {@code escalation.*} defaults.
 *
 * @param approval who must approve before the procedure acts; null = no approval needed
 * @param escalation the ladder when the automaton gives up: each step notifies one channel after a
 *     delay, unless the problem was fixed or a human acknowledged meanwhile; empty = the default
 *     (Slack at once, PagerDuty after {@code escalation.pageAfter})
 * @param askOnFailure when an action fails after its retries, ask a human (retry, skip or fail)
 *     instead of escalating at once; null = {@code escalation.askOnFailure}
 * @param decisionTimeout how long such a question waits; null = {@code escalation.decisionTimeout}
 */
public record ProcedureSettings(
    Approval approval, List<Step> escalation, Boolean askOnFailure, String decisionTimeout) {
  public ProcedureSettings {
    escalation = escalation == null ? List.of() : List.copyOf(escalation);
  }

  /**
   * @param approvers names whose decisions count (the Slack user name, the API caller name)
   * @param required approvals needed (N of M); one rejection rejects
   * @param fourEyes the requester cannot approve their own request
   * @param timeout how long to wait for a decision (e.g. {@code 4h}, {@code 2d})
   * @param onTimeout escalate, reject or approve
   * @param namespaces approval applies only to targets in these namespaces; empty = everywhere
   */
  public record Approval(
      List<String> approvers,
      Integer required,
      Boolean fourEyes,
      String timeout,
      String onTimeout,
      List<String> namespaces) {
    public Approval {
      approvers = approvers == null ? List.of() : List.copyOf(approvers);
      namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
      required = required == null ? 1 : required;
      fourEyes = fourEyes == null ? Boolean.TRUE : fourEyes;
      timeout = timeout == null ? "4h" : timeout;
      onTimeout = onTimeout == null ? "escalate" : onTimeout;
    }
  }

  /**
   * @param channel slack or pagerduty
   * @param after delay from the start of the escalation (e.g. {@code 0s}, {@code 15m})
   */
  public record Step(String channel, String after) {
    public static final List<String> CHANNELS = List.of("slack", "pagerduty");

    public Step {
      after = after == null ? "0s" : after;
    }
  }
}
