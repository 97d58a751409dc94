package dev.opsflow.activities.kubernetes;

/**
 * @param restartedAt the pod-template annotation value
 * @param changed false when this action id had already restarted the Deployment (a retry)
 */
public record RestartResult(String restartedAt, boolean changed) {}
