package dev.opsflow.contracts.failover;

import dev.opsflow.contracts.run.OneRunDoor;
import dev.opsflow.contracts.run.RunStarted;
import io.temporal.client.WorkflowClient;
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
    return OneRunDoor.options(taskQueue, FailoverRequest.workflowId(cluster));
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
    return start(client, taskQueue, request, configured, null);
  }

  /**
   * The same under {@code requestId} ({@link OneRunDoor#start(WorkflowClient, String, String,
   * String, Object, String)}).
   */
  public static FailoverStarted start(
      WorkflowClient client,
      String taskQueue,
      FailoverRequest request,
      Collection<String> configured,
      String requestId) {
    if (request == null || request.cluster() == null || request.cluster().isBlank()) {
      throw new IllegalArgumentException("cluster is required");
    }
    requireConfigured(request.cluster(), configured);
    RunStarted started =
        OneRunDoor.start(
            client, taskQueue, request.workflowId(), PostgresFailover.TYPE, request, requestId);
    return new FailoverStarted(started.workflowId(), started.runId(), started.alreadyRunning());
  }

  /** The stub of the running (or last) failover of {@code cluster}. */
  public static WorkflowStub running(WorkflowClient client, String cluster) {
    return client.newUntypedWorkflowStub(FailoverRequest.workflowId(cluster));
  }
}
