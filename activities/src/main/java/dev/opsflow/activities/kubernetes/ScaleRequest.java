package dev.opsflow.activities.kubernetes;

/** Scale a Deployment TO {@code replicas} (not by a delta), so a retry changes nothing twice. */
public record ScaleRequest(String actionId, String namespace, String name, int replicas) {}
