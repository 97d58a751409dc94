package dev.opsflow.activities.rollout;

/**
 * Waits until a Deployment has at least {@code replicas} ready pods of its current template.
 *
 * @param namespace the Deployment's namespace
 * @param deployment its name
 * @param replicas ready pods wanted
 * @param timeoutSeconds how long to wait before the attempt fails
 */
public record ReadyRequest(
    String namespace, String deployment, int replicas, long timeoutSeconds) {}
