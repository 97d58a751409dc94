package dev.opsflow.starter.alerts;

import dev.opsflow.contracts.run.RunStarted;
import dev.opsflow.starter.api.RunbookDoor;
import io.temporal.client.WorkflowClient;

/**
 * How an alert route starts a runbook as data: through {@link RunbookDoor}, as the REST API and the
 * CLI do, on the problem's workflow ID, so a firing alert while that run lives is answered with the
 * running run instead of starting a second.
 */
public final class RunbookTrigger {
  private final WorkflowClient client;
  private final String taskQueue;

  public RunbookTrigger(WorkflowClient client, String taskQueue) {
    this.client = client;
    this.taskQueue = taskQueue;
  }

  /** Starts the run, or answers with the one on its workflow ID. */
  RunStarted start(AlertRouter.Routed.Runbook routed) {
    return RunbookDoor.start(client, taskQueue, routed.workflowId(), routed.request());
  }
}
