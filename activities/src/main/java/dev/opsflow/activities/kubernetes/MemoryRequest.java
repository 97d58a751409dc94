package dev.opsflow.activities.kubernetes;

/** Set a container's memory request and limit to these quantities (e.g. "1Gi"). */
public record MemoryRequest(
    String actionId,
    String namespace,
    String deployment,
    String container,
    String memoryRequest,
    String memoryLimit) {}
