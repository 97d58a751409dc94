package dev.opsflow.contracts.diagnostics;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * "Can opsflow reach everything it is configured to act on?" Probes each configured system from a
 * worker and reports which are reachable. Start it by name with {@code {}} or {@code {"systems":
 * ["kafka"]}}.
 */
@WorkflowInterface
public interface ConnectivityCheck {
  @WorkflowMethod
  ConnectivityReport check(ConnectivityCheckInput input);

  /** The systems that answered so far; {@code allReachable} only once every probe answered. */
  @QueryMethod(name = "status")
  ConnectivityReport status();
}
