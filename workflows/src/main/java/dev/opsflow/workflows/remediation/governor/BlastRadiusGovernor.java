package dev.opsflow.workflows.remediation.governor;

import dev.opsflow.activities.dispatch.AdmissionRequest;
import dev.opsflow.activities.dispatch.GovernorNames;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Admits remediations to act, at most {@code maxInFlight} overall and {@code
 * maxInFlightPerNamespace} per namespace, most severe first. One long-running workflow ({@link
 * GovernorNames#WORKFLOW_ID}) started on demand by the first request; it continues as new to keep
 * its history short.
 */
@WorkflowInterface
public interface BlastRadiusGovernor {
  @WorkflowMethod
  void govern(GovernorState state);

  @SignalMethod(name = GovernorNames.REQUEST)
  void request(AdmissionRequest request);

  @SignalMethod(name = GovernorNames.RELEASE)
  void release(String workflowId);

  @QueryMethod
  GovernorState state();

  /** The same as {@link #state()}, under the query name every opsflow workflow answers. */
  @QueryMethod(name = "status")
  GovernorState status();
}
