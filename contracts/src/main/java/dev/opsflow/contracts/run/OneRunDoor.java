package dev.opsflow.contracts.run;

import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;

/**
 * Starts a procedure the one way every trigger (the CLI, the REST API, an alert route) must when
 * its workflow ID names what it changes (a cluster, a Deployment): refusing a second run while one
 * runs and answering with the running run's ID. A finished run does not block the next one.
 */
public final class OneRunDoor {
  private OneRunDoor() {}

  /** The options of a run that must be the only one on {@code workflowId}. */
  public static WorkflowOptions options(String taskQueue, String workflowId) {
    return options(taskQueue, workflowId, null);
  }

  /**
   * The same, started under {@code requestId} when it is not null: Temporal answers a start with
   * the request ID of the run on {@code workflowId} with that run instead of refusing it, so a
   * caller's retry of a start whose answer it never heard (a 503 after Temporal had accepted it)
   * gets the run its first request started, not a refusal and not a second run.
   */
  public static WorkflowOptions options(String taskQueue, String workflowId, String requestId) {
    WorkflowOptions.Builder options = WorkflowOptions.newBuilder();
    if (requestId != null) {
      options.setRequestId(requestId);
    }
    return options
        .setTaskQueue(taskQueue)
        .setWorkflowId(workflowId)
        // A second request must see the running run, never start over it or attach to it.
        .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
        .build();
  }

  /**
   * Starts {@code workflowType} with {@code input} on {@code workflowId}, or tells who already runs
   * there.
   */
  public static RunStarted start(
      WorkflowClient client,
      String taskQueue,
      String workflowId,
      String workflowType,
      Object input) {
    return start(client, taskQueue, workflowId, workflowType, input, null);
  }

  /**
   * The same under {@code requestId} (null: one of the SDK's own): a retry with the request ID of
   * the run on {@code workflowId} answers that run as started, not as already running.
   */
  public static RunStarted start(
      WorkflowClient client,
      String taskQueue,
      String workflowId,
      String workflowType,
      Object input,
      String requestId) {
    try {
      WorkflowExecution started =
          client
              .newUntypedWorkflowStub(workflowType, options(taskQueue, workflowId, requestId))
              .start(input);
      return new RunStarted(workflowId, started.getRunId(), false);
    } catch (WorkflowExecutionAlreadyStarted e) {
      String runId = e.getExecution().getRunId();
      if (runId == null || runId.isEmpty()) {
        // An older server leaves the running run's ID out of the refusal: ask for it.
        runId = client.newUntypedWorkflowStub(workflowId).describe().getExecution().getRunId();
      }
      return new RunStarted(workflowId, runId, true);
    }
  }
}
