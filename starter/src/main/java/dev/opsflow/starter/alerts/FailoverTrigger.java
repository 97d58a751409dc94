package dev.opsflow.starter.alerts;

import dev.opsflow.contracts.failover.FailoverDoor;
import dev.opsflow.contracts.failover.FailoverRequest;
import dev.opsflow.contracts.failover.FailoverStarted;
import io.temporal.client.WorkflowClient;
import java.util.Optional;
import java.util.Set;

/**
 * How an alert route starts a failover: through {@link FailoverDoor}, as the CLI and the REST API
 * do, so one cluster has one run whoever asks, and a resent alert group is answered with the
 * running run instead of starting a second.
 */
public final class FailoverTrigger {
  private final WorkflowClient client;
  private final String taskQueue;
  private final Set<String> clusters;

  /**
   * @param clusters the starter's {@code failover.clusters}: an alert naming another is unroutable;
   *     empty = not known here, the worker decides
   */
  public FailoverTrigger(WorkflowClient client, String taskQueue, Set<String> clusters) {
    this.client = client;
    this.taskQueue = taskQueue;
    this.clusters = Set.copyOf(clusters);
  }

  /** Why the door would refuse the request's cluster, before anything is sent to Temporal. */
  Optional<String> refusal(FailoverRequest request) {
    try {
      FailoverDoor.requireConfigured(request.cluster(), clusters);
      return Optional.empty();
    } catch (FailoverDoor.UnknownCluster e) {
      return Optional.of("target." + e.getMessage());
    }
  }

  /** Starts the failover, or answers with the one that runs. */
  FailoverStarted start(FailoverRequest request) {
    return FailoverDoor.start(client, taskQueue, request, clusters);
  }
}
