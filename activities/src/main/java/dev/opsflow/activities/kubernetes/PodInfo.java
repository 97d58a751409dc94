package dev.opsflow.activities.kubernetes;

import java.util.List;
import java.util.Map;

/**
 * A pod and its containers' states.
 *
 * @param deployment the Deployment that owns the pod (through its ReplicaSet), empty if none
 */
public record PodInfo(
    String name,
    String phase,
    String node,
    String deployment,
    Map<String, String> labels,
    List<ContainerState> containers) {}
