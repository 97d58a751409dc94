package dev.opsflow.contracts.rollout;

/**
 * How far one metric of a running analysis has come: the counts its verdict is decided on and the
 * latest measurement, as the rollout's progress query shows them.
 *
 * @param metric the {@link MetricCheck#name()}
 * @param dryRun whether the metric only reports
 * @param verdict where the metric stands
 * @param measurements every measurement taken, whatever its phase
 * @param successful successful measurements
 * @param failed failed measurements
 * @param inconclusive inconclusive measurements
 * @param errors errored measurements
 * @param consecutiveErrors errored measurements since the last one that was not
 * @param last the latest measurement, or null before the first
 * @param nextMeasurementAtMillis when the next measurement is due (workflow time, Unix millis);
 *     meaningless once the verdict is decided
 */
public record MetricProgress(
    String metric,
    boolean dryRun,
    AnalysisVerdict verdict,
    int measurements,
    int successful,
    int failed,
    int inconclusive,
    int errors,
    int consecutiveErrors,
    Measurement last,
    long nextMeasurementAtMillis) {

  /** A metric before its first measurement, which is due at {@code startedAtMillis}. */
  public static MetricProgress notStarted(MetricCheck check, long startedAtMillis) {
    return new MetricProgress(
        check.name(),
        check.dryRun(),
        AnalysisVerdict.RUNNING,
        0,
        0,
        0,
        0,
        0,
        0,
        null,
        startedAtMillis);
  }
}
