package dev.opsflow.contracts.remediation;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Admits remediations to act, at most {@code maxInFlight} overall and {@code
 * maxInFlightPerNamespace} per namespace, most severe first. One long-running workflow ({@link
 * GovernorNames#WORKFLOW_ID}) started on demand by the first request; it continues as new to keep
 * its history short. Its limits are the worker's configuration, never a requester's. It also
 * remembers the last action on each problem for that problem's cooldown, so a new run for the same
 * problem (a later episode after an escalated run closed) does not act again inside it.
 */
@WorkflowInterface
public interface BlastRadiusGovernor {
  @WorkflowMethod
  void govern(GovernorState state);

  @SignalMethod(name = GovernorNames.REQUEST)
  void request(AdmissionRequest request);

  @SignalMethod(name = GovernorNames.RELEASE)
  void release(String workflowId);

  /** A remediation is about to act on a problem: remembered for the problem's cooldown. */
  @SignalMethod(name = GovernorNames.ACTION_TAKEN)
  void actionTaken(ActionMark mark);

  /** The last action on a problem still inside its cooldown, or null. */
  @QueryMethod(name = GovernorNames.LAST_ACTION)
  ActionMark lastAction(String problem);

  @QueryMethod
  GovernorState state();

  /** The same as {@link #state()}, under the query name every opsflow workflow answers. */
  @QueryMethod(name = "status")
  GovernorState status();
}
