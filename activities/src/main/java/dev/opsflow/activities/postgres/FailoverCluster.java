package dev.opsflow.activities.postgres;

import java.util.List;

/**
 * A cluster's topology and failover settings as the worker's configuration has them ({@code
 * failover.*}), for a workflow to decide with. Read once per run, through {@link
 * FailoverClusterActivities}, so the answer is in the history.
 *
 * @param name the cluster's name
 * @param members its members, by name and pod
 * @param namespace where the Service and the pods are
 * @param service the Service clients connect through
 * @param roleLabelKey the pods' role label the Service selects on
 * @param maximumLagOnFailoverBytes an unattended failover only within this last known lag
 * @param confirmationWindowSeconds failed probes spread over this window confirm a primary down
 * @param confirmationProbes how many failed probes confirm it
 * @param replayTimeoutSeconds how long a switchover waits for the replay before asking a human
 * @param unattended whether a confirmed-down failover within the lag may skip the approval
 * @param endWriteSessions whether the fence ends sessions with an open transaction
 */
public record FailoverCluster(
    String name,
    List<ClusterMember> members,
    String namespace,
    String service,
    String roleLabelKey,
    long maximumLagOnFailoverBytes,
    long confirmationWindowSeconds,
    int confirmationProbes,
    long replayTimeoutSeconds,
    boolean unattended,
    boolean endWriteSessions) {
  public FailoverCluster {
    members = members == null ? List.of() : List.copyOf(members);
  }

  /** The pod of {@code member} ("" if it is not a member). */
  public String pod(String member) {
    return members.stream()
        .filter(m -> m.name().equals(member))
        .map(ClusterMember::pod)
        .findFirst()
        .orElse("");
  }

  /** The member names, in configuration order. */
  public List<String> memberNames() {
    return members.stream().map(ClusterMember::name).toList();
  }
}
