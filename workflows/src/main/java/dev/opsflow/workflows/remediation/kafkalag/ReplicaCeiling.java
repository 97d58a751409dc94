package dev.opsflow.workflows.remediation.kafkalag;

/**
 * How many consumer replicas a lagging group gets. One replica per {@code lagPerReplica} messages
 * of backlog, never fewer than now, and never scaled up beyond either ceiling: MAX_REPLICAS, or the
 * topic's partition count (a consumer beyond the partition count gets no partition and sits idle).
 * A result equal to {@code current} means no scaling can help.
 */
public final class ReplicaCeiling {
  private ReplicaCeiling() {}

  /**
   * @param current replicas now
   * @param lag total backlog (messages)
   * @param lagPerReplica backlog one replica is expected to work off
   * @param partitions partitions of the consumed topic(s); 0 when unknown (no partition ceiling)
   * @param minReplicas MIN_REPLICAS
   * @param maxReplicas MAX_REPLICAS
   */
  public static int desiredReplicas(
      int current, long lag, long lagPerReplica, int partitions, int minReplicas, int maxReplicas) {
    long byLag = (lag + lagPerReplica - 1) / Math.max(1, lagPerReplica);
    long ceiling = partitions > 0 ? Math.min(maxReplicas, partitions) : maxReplicas;
    long desired = Math.max(Math.min(byLag, ceiling), minReplicas);
    // A lag remediation only adds consumers: at or above the ceiling it changes nothing (and the
    // workflow escalates), it never scales down. MIN_REPLICAS <= MAX_REPLICAS is checked at
    // start-up.
    return (int) Math.max(desired, current);
  }
}
