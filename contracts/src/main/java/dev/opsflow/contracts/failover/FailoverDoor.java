package dev.opsflow.contracts.failover;

import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.util.Collection;
import java.util.List;

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

  /** A request for a cluster the caller's configuration does not have; the message names it. */
  public static final class UnknownCluster extends IllegalArgumentException {
    private final List<String> configured;

    UnknownCluster(String cluster, List<String> configured) {
      super(
          "cluster: '"
              + cluster
              + "' is not in failover.clusters; configured: "
              + String.join(", ", configured));
      this.configured = configured;
    }

    /** The clusters that are configured, sorted. */
    public List<String> configured() {
      return configured;
    }
  }

  /**
   * Refuses a cluster that is not among {@code configured}, before anything starts. An empty {@code
   * configured} means the caller does not know the worker's clusters (its configuration has none,
   * as a CLI beside {@code ./opsflow dev --sandbox} does): then the worker decides, and a run for
   * an unknown cluster fails with the reason in its status.
   *
   * @throws UnknownCluster naming the cluster and listing the configured ones
   */
  public static void requireConfigured(String cluster, Collection<String> configured) {
    if (configured == null || configured.isEmpty() || configured.contains(cluster)) {
      return;
    }
    throw new UnknownCluster(cluster, configured.stream().sorted().toList());
  }

  /**
   * Starts the failover, or tells who already runs it. Use {@link #start(WorkflowClient, String,
   * FailoverRequest, Collection)} where the caller has the worker's configuration.
   *
   * @throws IllegalArgumentException if the request names no cluster
   */
  public static FailoverStarted start(
      WorkflowClient client, String taskQueue, FailoverRequest request) {
    return start(client, taskQueue, request, List.of());
  }

  /**
   * Starts the failover of a cluster among {@code configured} (the caller's {@code
   * failover.clusters}; empty: not known here), or tells who already runs it.
   *
   * @throws UnknownCluster if {@code configured} is not empty and lacks the request's cluster
   * @throws IllegalArgumentException if the request names no cluster
   */
  public static FailoverStarted start(
      WorkflowClient client,
      String taskQueue,
      FailoverRequest request,
      Collection<String> configured) {
    if (request == null || request.cluster() == null || request.cluster().isBlank()) {
      throw new IllegalArgumentException("cluster is required");
    }
    requireConfigured(request.cluster(), configured);
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
