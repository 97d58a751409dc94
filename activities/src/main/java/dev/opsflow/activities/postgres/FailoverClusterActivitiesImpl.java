package dev.opsflow.activities.postgres;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.config.OpsflowConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Serves {@code failover.*} from the worker's configuration. */
public final class FailoverClusterActivitiesImpl implements FailoverClusterActivities {
  private final OpsflowConfig.Failover failover;

  public FailoverClusterActivitiesImpl(OpsflowConfig.Failover failover) {
    this.failover = failover;
  }

  /**
   * The members of every configured cluster with their connection settings, for {@link
   * FailoverActivitiesImpl} (member names are unique across clusters; the loader checks it).
   */
  public static PostgresMembers members(OpsflowConfig.Failover failover) {
    Map<String, PostgresConnector> connectors = new TreeMap<>();
    failover
        .clusters()
        .values()
        .forEach(
            cluster ->
                cluster
                    .members()
                    .forEach(
                        (name, member) ->
                            connectors.put(
                                name,
                                new PostgresConnector(
                                    member.url(),
                                    member.user(),
                                    member.password(),
                                    PostgresConnector.CONNECT_TIMEOUT,
                                    PostgresConnector.SOCKET_TIMEOUT))));
    return new PostgresMembers(connectors);
  }

  @Override
  public FailoverCluster cluster(String cluster) {
    OpsflowConfig.FailoverCluster configured =
        cluster == null ? null : failover.clusters().get(cluster);
    if (configured == null) {
      throw FailureTypes.notConfigured(
          "cluster '"
              + cluster
              + "' is not in failover.clusters (configured: "
              + String.join(", ", new TreeMap<>(failover.clusters()).keySet())
              + ")");
    }
    List<ClusterMember> members = new ArrayList<>();
    new TreeMap<>(configured.members())
        .forEach((name, member) -> members.add(new ClusterMember(name, member.pod())));
    return new FailoverCluster(
        cluster,
        members,
        configured.namespace(),
        configured.service(),
        configured.roleLabelKey(),
        failover.maximumLagOnFailoverBytes(),
        seconds(failover.confirmationWindow()),
        failover.confirmationProbes(),
        seconds(failover.replayTimeout()),
        failover.unattended(),
        failover.endWriteSessions());
  }

  private static long seconds(Duration d) {
    return d.toSeconds();
  }
}
