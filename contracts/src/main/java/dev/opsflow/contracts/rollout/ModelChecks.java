package dev.opsflow.contracts.rollout;

import java.util.List;

/**
 * The metrics that judge a model version against the production one ({@code evaluate_canary}):
 * served accuracy, latency and error rate, each compared with the stable version's measured at the
 * same moment. Accuracy reads the counter {@value #PREDICTIONS} (labels {@code namespace}, {@code
 * deployment}, {@code correct}), which a model server counts for every prediction whose label
 * becomes known (the sandbox's model server does); latency and error rate read {@link
 * BuiltInChecks}' HTTP metrics. No predictions is {@code NaN}: inconclusive, never a pass.
 */
public final class ModelChecks {
  /** Labelled predictions, by {@code namespace}, {@code deployment} and {@code correct}. */
  public static final String PREDICTIONS = "model_predictions_total";

  /** The version's share of right predictions over the last minute. */
  public static final String ACCURACY_QUERY =
      "sum(rate("
          + PREDICTIONS
          + "{namespace=\"{{namespace}}\",deployment=\"{{canary}}\",correct=\"true\"}[1m]))"
          + " / sum(rate("
          + PREDICTIONS
          + "{namespace=\"{{namespace}}\",deployment=\"{{canary}}\"}[1m]))";

  /** How far the candidate's served accuracy may fall below production's (absolute). */
  public static final double ACCURACY_TOLERANCE = 0.02;

  /** How many times production's p99 latency the candidate's may reach. */
  public static final double LATENCY_FACTOR = 1.5;

  /** Below this p99 (seconds) the candidate's latency passes whatever production's is. */
  public static final double LATENCY_FLOOR_SECONDS = 0.010;

  /** How many times production's error rate the candidate's may reach. */
  public static final double ERROR_RATE_FACTOR = 1.5;

  /** Below this error rate the candidate passes whatever production's is. */
  public static final double ERROR_RATE_FLOOR = 0.001;

  private ModelChecks() {}

  /**
   * {@code accuracy}, {@code latency} and {@code error_rate} of the candidate against the
   * production version, each measured {@code count} times every {@code intervalSeconds}.
   */
  public static AnalysisTemplate versusProduction(long intervalSeconds, int count) {
    return new AnalysisTemplate(
        "model-vs-production",
        List.of(
            check(
                "accuracy",
                ACCURACY_QUERY,
                "result >= stable - " + BuiltInChecks.literal(ACCURACY_TOLERANCE),
                intervalSeconds,
                count),
            check(
                "latency",
                BuiltInChecks.P99_LATENCY_QUERY,
                "result <= "
                    + BuiltInChecks.literal(LATENCY_FACTOR)
                    + " * stable || result <= "
                    + BuiltInChecks.literal(LATENCY_FLOOR_SECONDS),
                intervalSeconds,
                count),
            check(
                "error_rate",
                BuiltInChecks.ERROR_RATE_QUERY,
                "result <= "
                    + BuiltInChecks.literal(ERROR_RATE_FACTOR)
                    + " * stable || result <= "
                    + BuiltInChecks.literal(ERROR_RATE_FLOOR),
                intervalSeconds,
                count)));
  }

  private static MetricCheck check(
      String name, String query, String success, long intervalSeconds, int count) {
    return new MetricCheck(name, query, intervalSeconds, count, success, null, 0, 0, null, false);
  }
}
