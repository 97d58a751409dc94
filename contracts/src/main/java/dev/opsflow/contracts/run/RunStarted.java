package dev.opsflow.contracts.run;

/**
 * What a {@link OneRunDoor} answered.
 *
 * @param workflowId the ID naming what the run changes
 * @param runId the run that handles it: the new one, or the one already running
 * @param alreadyRunning true when a run was already there: the request was refused and {@code
 *     runId} is the running run's
 */
public record RunStarted(String workflowId, String runId, boolean alreadyRunning) {}
