package dev.opsflow.contracts.rollout;

/** What one measurement of a {@link MetricCheck} says, as in Argo Rollouts. */
public enum MeasurementPhase {
  /** The conditions say the version is healthy. */
  SUCCESSFUL,
  /** The conditions say the version is unhealthy. */
  FAILED,
  /**
   * The measurement says nothing about the version: no data, an empty vector, {@code NaN} or an
   * infinite value, Prometheus could not be read, or neither condition held. Never a pass.
   */
  INCONCLUSIVE,
  /**
   * The check itself is broken: Prometheus rejects the query, refuses the credentials, or a
   * condition cannot be evaluated on the result (e.g. a number compared where a list came back).
   */
  ERROR
}
