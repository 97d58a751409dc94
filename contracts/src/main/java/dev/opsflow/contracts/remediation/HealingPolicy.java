package dev.opsflow.contracts.remediation;

import dev.opsflow.contracts.human.HumanPolicy;
import java.util.List;

/**
 * The worker's healing policy as a remediation run reads it ({@code PolicyActivities.serverPolicy},
 * recorded in the run's history, so a workflow never reads configuration and a replay sees the
 * policy the run had) and as the watchdog is configured with. Not a caller's input: a caller
 * tightens it with {@link RemediationLimits}; inputs from before those carried a whole policy
 * ({@link RemediationRequest#policy()}). Durations are in seconds.
 */
public record HealingPolicy(
    long kafkaLagThreshold,
    long kafkaLagPerReplica,
    int postgresConnThreshold,
    int diskSpaceThreshold,
    int minReplicas,
    int maxReplicas,
    long checkIntervalSeconds,
    long actionCooldownSeconds,
    long settleSeconds,
    long confirmHighSeconds,
    long confirmMediumSeconds,
    long confirmLowSeconds,
    long idleSessionAgeSeconds,
    long logMaxAgeDays,
    List<String> logPaths,
    double memoryRaiseFactor,
    String memoryRaiseMinStep,
    String memoryCeiling,
    int maxInFlight,
    int maxInFlightPerNamespace,
    long admissionTimeoutSeconds,
    HumanPolicy humanDefault,
    java.util.Map<String, HumanPolicy> humans) {

  /**
   * Backlog one consumer replica is expected to work off; scaling adds a replica per this much lag.
   */
  public static final long DEFAULT_LAG_PER_REPLICA = 3000;

  public HealingPolicy {
    logPaths = logPaths == null ? List.of() : List.copyOf(logPaths);
    humans = humans == null ? java.util.Map.of() : java.util.Map.copyOf(humans);
    humanDefault = humanDefault == null ? HumanPolicy.DEFAULT : humanDefault;
  }

  /** How humans take part in this procedure's runs. */
  public HumanPolicy human(String procedure) {
    return humans.getOrDefault(procedure, humanDefault);
  }

  public HealingPolicy withHumans(HumanPolicy defaults, java.util.Map<String, HumanPolicy> byType) {
    return new HealingPolicy(
        kafkaLagThreshold,
        kafkaLagPerReplica,
        postgresConnThreshold,
        diskSpaceThreshold,
        minReplicas,
        maxReplicas,
        checkIntervalSeconds,
        actionCooldownSeconds,
        settleSeconds,
        confirmHighSeconds,
        confirmMediumSeconds,
        confirmLowSeconds,
        idleSessionAgeSeconds,
        logMaxAgeDays,
        logPaths,
        memoryRaiseFactor,
        memoryRaiseMinStep,
        memoryCeiling,
        maxInFlight,
        maxInFlightPerNamespace,
        admissionTimeoutSeconds,
        defaults,
        byType);
  }

  /** How long a problem of this severity must hold before acting (critical: at once). */
  public long confirmSeconds(String severity) {
    return switch (severity) {
      case "critical" -> 0;
      case "high" -> confirmHighSeconds;
      case "medium" -> confirmMediumSeconds;
      default -> confirmLowSeconds;
    };
  }
}
