package dev.opsflow.contracts.human;

import java.util.List;

/**
 * How humans take part in one run of a procedure: the server's, per procedure ({@code procedures:}
 * in opsflow.yaml), read by the run when it starts so it keeps the rules it started with. A
 * caller's {@code run.human} may only add an approval where the server requires none.
 *
 * @param approval who must approve before acting; null = no approval needed
 * @param approvalNamespaces approval applies only to targets in these namespaces; empty = all
 * @param escalation the ladder, in order of {@code afterSeconds}
 * @param askOnFailure a failed action asks a human (retry, skip, fail) instead of escalating at
 *     once
 * @param decisionTimeoutSeconds how long that question waits before the step fails
 */
public record HumanPolicy(
    ApprovalPolicy approval,
    List<String> approvalNamespaces,
    List<EscalationStep> escalation,
    boolean askOnFailure,
    long decisionTimeoutSeconds) {

  public HumanPolicy {
    escalation = escalation == null ? List.of() : List.copyOf(escalation);
    approvalNamespaces = approvalNamespaces == null ? List.of() : List.copyOf(approvalNamespaces);
    if (decisionTimeoutSeconds <= 0) {
      decisionTimeoutSeconds = 4 * 3600;
    }
  }

  /** What a run started without a human policy (e.g. typed by hand as JSON) follows. */
  public static final HumanPolicy DEFAULT =
      new HumanPolicy(
          null,
          List.of(),
          List.of(
              new EscalationStep(EscalationStep.SLACK, 0),
              new EscalationStep(EscalationStep.PAGERDUTY, 0)),
          false,
          4 * 3600);

  /** The approval a target in this namespace needs, or null when it needs none. */
  public ApprovalPolicy approvalFor(String namespace) {
    if (approval == null) {
      return null;
    }
    return approvalNamespaces.isEmpty() || approvalNamespaces.contains(namespace) ? approval : null;
  }
}
