package dev.opsflow.contracts.failover;

import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;

/**
 * Starts a failover the one way every trigger (the CLI, the REST API, an alert route) must: under
 * the cluster's workflow ID, refusing a second one while one runs and answering with the running
 * run's ID. A finished failover does not block the next one.
 */
public final class FailoverDoor {
  private FailoverDoor() {}

  /** The options a failover of {@code cluster} starts with. */
  public static WorkflowOptions options(String taskQueue, String cluster) {
    return WorkflowOptions.newBuilder()
        .setTaskQueue(taskQueue)
        .setWorkflowId(FailoverRequest.workflowId(cluster))
        // A second request must see the running run, never start over it or attach to it.
        .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
        .build();
  }

  /**
   * Starts the failover, or tells who already runs it.
   *
   * @throws IllegalArgumentException if the request names no cluster
   */
  public static FailoverStarted start(
      WorkflowClient client, String taskQueue, FailoverRequest request) {
    if (request == null || request.cluster() == null || request.cluster().isBlank()) {
      throw new IllegalArgumentException("cluster is required");
    }
    PostgresFailover stub =
        client.newWorkflowStub(PostgresFailover.class, options(taskQueue, request.cluster()));
    try {
      String runId = WorkflowClient.start(stub::failover, request).getRunId();
      return new FailoverStarted(request.workflowId(), runId, false);
    } catch (WorkflowExecutionAlreadyStarted e) {
      String runId = e.getExecution().getRunId();
      if (runId == null || runId.isEmpty()) {
        // An older server leaves the running run's ID out of the refusal: ask for it.
        runId =
            client
                .newUntypedWorkflowStub(request.workflowId())
                .describe()
                .getExecution()
                .getRunId();
      }
      return new FailoverStarted(request.workflowId(), runId, true);
    }
  }

  /** The stub of the running (or last) failover of {@code cluster}. */
  public static WorkflowStub running(WorkflowClient client, String cluster) {
    return client.newUntypedWorkflowStub(FailoverRequest.workflowId(cluster));
  }
}
