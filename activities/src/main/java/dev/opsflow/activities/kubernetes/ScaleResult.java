package dev.opsflow.activities.kubernetes;

/**
 * @param previousReplicas the count before the action: on a retry of an action already applied
 *     (same action id), the count before its first attempt, read from the Deployment's annotations
 * @param changed false when the Deployment already had {@code replicas} before the action
 */
public record ScaleResult(int previousReplicas, int replicas, boolean changed) {}
