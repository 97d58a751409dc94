package dev.opsflow.contracts.failover;

/**
 * What the door answered to a failover request.
 *
 * @param workflowId {@code failover-<cluster>}
 * @param runId the run that handles the cluster: the new one, or the one already running
 * @param alreadyRunning true when a failover of this cluster was running: the request was refused
 *     and {@code runId} is the running run's
 */
public record FailoverStarted(String workflowId, String runId, boolean alreadyRunning) {}
