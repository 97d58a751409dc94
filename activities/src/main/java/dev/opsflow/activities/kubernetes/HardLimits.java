package dev.opsflow.activities.kubernetes;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.config.OpsflowConfig;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;

/**
 * The worker's ceilings on what a Kubernetes action may set, read from its own configuration and
 * checked in the activity that acts, so no workflow input, REST body or {@code tctl} start can
 * raise them: at most {@code healing.maxReplicas} replicas, at most {@code healing.memoryCeiling}
 * of memory per container. An action beyond one fails with a non-retryable {@code PolicyViolation}
 * naming the limit and its value, and nothing is changed.
 */
public final class HardLimits {
  private final int maxReplicas;
  private final String memoryCeiling;
  private final BigDecimal memoryCeilingBytes;

  /**
   * @param maxReplicas the most replicas a Deployment may be scaled to
   * @param memoryCeiling the largest memory request or limit a container may be given (e.g. 8Gi)
   */
  public HardLimits(int maxReplicas, String memoryCeiling) {
    if (maxReplicas < 0) {
      throw new IllegalArgumentException("maxReplicas must be >= 0, got " + maxReplicas);
    }
    this.maxReplicas = maxReplicas;
    this.memoryCeiling = memoryCeiling;
    this.memoryCeilingBytes = Quantity.getAmountInBytes(new Quantity(memoryCeiling));
  }

  /** {@code healing.maxReplicas} and {@code healing.memoryCeiling}. */
  public static HardLimits fromConfig(OpsflowConfig config) {
    return new HardLimits(config.healing().maxReplicas(), config.healing().memoryCeiling());
  }

  public int maxReplicas() {
    return maxReplicas;
  }

  public String memoryCeiling() {
    return memoryCeiling;
  }

  /** Refuses scaling {@code what} to more than {@code healing.maxReplicas}. */
  public void requireReplicasAllowed(int replicas, String what) {
    if (replicas > maxReplicas) {
      throw FailureTypes.policyViolation(
          what
              + " to "
              + replicas
              + " replicas refused: above the configured maximum of "
              + maxReplicas
              + " (healing.maxReplicas)");
    }
  }

  /** Refuses giving {@code what} more memory than {@code healing.memoryCeiling}. */
  public void requireMemoryAllowed(String field, Quantity amount, String what) {
    if (Quantity.getAmountInBytes(amount).compareTo(memoryCeilingBytes) > 0) {
      throw FailureTypes.policyViolation(
          what
              + ": "
              + field
              + " "
              + amount
              + " refused: above the configured memory ceiling of "
              + memoryCeiling
              + " (healing.memoryCeiling)");
    }
  }
}
