package dev.opsflow.contracts.remediation;

import java.util.List;

/**
 * Limits a remediation's caller asks for on top of the server's policy. Each is optional (null =
 * the server's) and only ever tightens: a looser value is refused and noted in the run's status.
 * Settings that are not limits (settle time, check interval, lease and admission timeouts, the
 * governor's slots) are always the server's and have no field here.
 *
 * @param kafkaLagThreshold act only above this lag (higher is tighter)
 * @param kafkaLagPerReplica backlog one consumer replica works off (higher adds fewer replicas)
 * @param postgresConnThreshold act only above this share of max_connections, in percent
 * @param diskSpaceThreshold act only above this disk usage, in percent
 * @param minReplicas floor a scale-out keeps (lower is tighter)
 * @param maxReplicas ceiling of any scale-out (lower is tighter)
 * @param actionCooldownSeconds no second action on a problem within this time (longer is tighter)
 * @param confirmHighSeconds how long a high-severity problem must hold before acting
 * @param confirmMediumSeconds the same for medium
 * @param confirmLowSeconds the same for low
 * @param idleSessionAgeSeconds only sessions idle longer than this are ended
 * @param logMaxAgeDays only logs older than this are deleted
 * @param logPaths only these of the server's log paths are cleaned
 * @param memoryRaiseFactor a memory raise multiplies the limit by at most this
 * @param memoryCeiling no memory limit above this quantity (e.g. {@code 2Gi})
 */
public record RemediationLimits(
    Long kafkaLagThreshold,
    Long kafkaLagPerReplica,
    Integer postgresConnThreshold,
    Integer diskSpaceThreshold,
    Integer minReplicas,
    Integer maxReplicas,
    Long actionCooldownSeconds,
    Long confirmHighSeconds,
    Long confirmMediumSeconds,
    Long confirmLowSeconds,
    Long idleSessionAgeSeconds,
    Long logMaxAgeDays,
    List<String> logPaths,
    Double memoryRaiseFactor,
    String memoryCeiling) {
  public RemediationLimits {
    logPaths = logPaths == null ? null : List.copyOf(logPaths);
  }

  /** No limit asked for: the server's policy as it is. */
  public static final RemediationLimits NONE =
      new RemediationLimits(
          null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);

  /** Only a replica ceiling. */
  public static RemediationLimits maxReplicas(int maxReplicas) {
    return new RemediationLimits(
        null,
        null,
        null,
        null,
        null,
        maxReplicas,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }
}
