package dev.opsflow.activities.kubernetes;

/** A container of a pod template; resources as Kubernetes quantities, empty when unset. */
public record ContainerSpec(
    String name,
    String image,
    String memoryRequest,
    String memoryLimit,
    String cpuRequest,
    String cpuLimit) {}
