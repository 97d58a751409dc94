package dev.opsflow.activities.kubernetes;

/**
 * @param changed false when the Deployment already had {@code replicas}
 */
public record ScaleResult(int previousReplicas, int replicas, boolean changed) {}
