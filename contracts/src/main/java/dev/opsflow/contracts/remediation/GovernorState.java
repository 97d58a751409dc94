package dev.opsflow.contracts.remediation;

import java.util.List;

/**
 * Who holds a slot and who waits; carried across continue-as-new.
 *
 * @param inFlight admitted remediations, each until released or its lease ends
 * @param waiting requests not yet admitted, in arrival order
 * @param recentActions the last action on each problem whose cooldown has not ended
 */
public record GovernorState(
    List<Grant> inFlight, List<Waiting> waiting, List<ActionMark> recentActions) {
  public GovernorState {
    inFlight = inFlight == null ? List.of() : List.copyOf(inFlight);
    waiting = waiting == null ? List.of() : List.copyOf(waiting);
    recentActions = recentActions == null ? List.of() : List.copyOf(recentActions);
  }

  /** A slot held by a remediation. */
  public record Grant(
      String workflowId,
      String namespace,
      String severity,
      long grantedAtMillis,
      long leaseUntilMillis) {}

  /** A request waiting for a slot. */
  public record Waiting(AdmissionRequest request, long requestedAtMillis) {}
}
