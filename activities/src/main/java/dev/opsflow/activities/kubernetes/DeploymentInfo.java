package dev.opsflow.activities.kubernetes;

import java.util.List;

/**
 * A Deployment as the remediations see it.
 *
 * @param replicas desired replicas (spec)
 * @param rolloutComplete the controller observed the latest generation and every desired replica is
 *     updated and available
 */
public record DeploymentInfo(
    String namespace,
    String name,
    int replicas,
    int readyReplicas,
    int availableReplicas,
    int updatedReplicas,
    long generation,
    long observedGeneration,
    List<ContainerSpec> containers,
    boolean rolloutComplete) {}
