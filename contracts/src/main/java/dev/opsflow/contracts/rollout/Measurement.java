package dev.opsflow.contracts.rollout;

import java.util.List;

/**
 * One measurement of a {@link MetricCheck}, as the metrics activity took it (and as the workflow's
 * history records it, so a replay never evaluates a condition again).
 *
 * @param metric the {@link MetricCheck#name()}
 * @param phase what the measurement says
 * @param values the canary's finite values, one per series (empty when there were none)
 * @param stableValues the stable version's finite values, when a condition compares with {@code
 *     stable}; else empty
 * @param message why the phase is what it is, for the human reading the rollout's status
 * @param takenAtEpochSeconds when Prometheus evaluated the query (Unix seconds); 0 when it was not
 *     reached
 */
public record Measurement(
    String metric,
    MeasurementPhase phase,
    List<Double> values,
    List<Double> stableValues,
    String message,
    double takenAtEpochSeconds) {

  public Measurement {
    values = values == null ? List.of() : List.copyOf(values);
    stableValues = stableValues == null ? List.of() : List.copyOf(stableValues);
  }

  /** A measurement with only a phase and a reason, e.g. for tests and for "could not read". */
  public static Measurement of(String metric, MeasurementPhase phase, String message) {
    return new Measurement(metric, phase, List.of(), List.of(), message, 0);
  }
}
