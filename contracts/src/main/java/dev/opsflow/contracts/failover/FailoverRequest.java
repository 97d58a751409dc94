package dev.opsflow.contracts.failover;

import dev.opsflow.contracts.run.RunEnvelope;

/**
 * Asks for one switchover or failover of a PostgreSQL cluster the worker's configuration knows
 * ({@code failover.clusters}). Members are named, never addressed: URLs and credentials stay in the
 * worker's configuration.
 *
 * <p>As tctl JSON: {@code {"cluster":"demo","mode":"SWITCHOVER","run":{"requestedBy":"alice"}}}.
 *
 * @param cluster the cluster's name in {@code failover.clusters}
 * @param mode {@link FailoverMode#SWITCHOVER} (the primary is healthy) or {@link
 *     FailoverMode#FAILOVER} (the primary is down)
 * @param candidate the replica to promote; null = the replica with the lowest lag
 * @param run severity, the alert that asked, who asked; null = asked for by hand, by nobody named
 * @param limits tightenings of the server's settings; null = none
 */
public record FailoverRequest(
    String cluster, FailoverMode mode, String candidate, RunEnvelope run, FailoverLimits limits) {
  /** Workflow IDs of failovers start with this, followed by the cluster's name. */
  public static final String ID_PREFIX = "failover-";

  public FailoverRequest {
    run = run == null ? new RunEnvelope("critical", null, null, null) : run;
    limits = limits == null ? FailoverLimits.NONE : limits;
    candidate = candidate == null || candidate.isBlank() ? null : candidate;
  }

  /**
   * The workflow ID of the failover of {@code cluster}: one per cluster, so two failovers of one
   * cluster can never run at once.
   */
  public static String workflowId(String cluster) {
    return ID_PREFIX + cluster;
  }

  public String workflowId() {
    return workflowId(cluster);
  }
}
