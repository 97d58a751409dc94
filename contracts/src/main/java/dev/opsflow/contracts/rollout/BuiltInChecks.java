package dev.opsflow.contracts.rollout;

import java.math.BigDecimal;

/**
 * The metrics most rollouts need, written once. They read the conventional HTTP server metrics: a
 * counter {@value #REQUESTS} and a histogram {@value #DURATION}{@code _bucket}, both labelled with
 * {@code namespace}, {@code deployment} (the version's Deployment) and, for requests, the status
 * {@code code}. Each is measured {@value #DEFAULT_COUNT} times, every {@value
 * #DEFAULT_INTERVAL_SECONDS} s, with no failure tolerated; change that with {@link
 * MetricCheck#every} and {@link MetricCheck#tolerating}.
 *
 * <p>No traffic is never a pass: with no requests the ratio is {@code NaN} or the vector is empty,
 * both inconclusive.
 */
public final class BuiltInChecks {
  /** Request counter: {@code namespace}, {@code deployment}, {@code code} labels. */
  public static final String REQUESTS = "http_requests_total";

  /** Request duration histogram (seconds): {@code namespace}, {@code deployment} labels. */
  public static final String DURATION = "http_request_duration_seconds";

  public static final long DEFAULT_INTERVAL_SECONDS = 60;
  public static final int DEFAULT_COUNT = 5;

  private static final String VERSION = "namespace=\"{{namespace}}\",deployment=\"{{canary}}\"";

  /**
   * The canary's share of 5xx responses over the last minute. No 5xx series at all counts as zero
   * errors ({@code or vector(0)}), but only over requests that carry a status code ({@code
   * code!=""}): an app that labels its status otherwise has no denominator, so its measurement is
   * inconclusive instead of error-free. No requests at all stays {@code NaN}, so inconclusive.
   */
  public static final String ERROR_RATE_QUERY =
      "(sum(rate("
          + REQUESTS
          + "{"
          + VERSION
          + ",code=~\"5..\"}[1m])) or vector(0)) / sum(rate("
          + REQUESTS
          + "{"
          + VERSION
          + ",code!=\"\"}[1m]))";

  /** The canary's 99th percentile request duration over the last minute, in seconds. */
  public static final String P99_LATENCY_QUERY =
      "histogram_quantile(0.99, sum by (le) (rate(" + DURATION + "_bucket{" + VERSION + "}[1m])))";

  private BuiltInChecks() {}

  /**
   * {@code error-rate}: the canary's 5xx share stays below {@code maxRatio}, e.g. {@code 0.01} for
   * "error rate < 1%".
   */
  public static MetricCheck errorRateBelow(double maxRatio) {
    return check("error-rate", ERROR_RATE_QUERY, "result < " + literal(maxRatio));
  }

  /** {@code p99-latency}: the canary's p99 request duration stays below {@code maxSeconds}. */
  public static MetricCheck p99LatencyBelow(double maxSeconds) {
    return check("p99-latency", P99_LATENCY_QUERY, "result < " + literal(maxSeconds));
  }

  /**
   * {@code error-rate-vs-stable}: the canary's 5xx share is at most {@code factor} times the stable
   * version's (e.g. 1.5), or at most {@code floor} (e.g. 0.001), so that a stable version with no
   * errors at all does not fail a canary over a single one.
   */
  public static MetricCheck errorRateVersusStable(double factor, double floor) {
    return check(
        "error-rate-vs-stable",
        ERROR_RATE_QUERY,
        "result <= " + literal(factor) + " * stable || result <= " + literal(floor));
  }

  private static MetricCheck check(String name, String query, String successCondition) {
    return new MetricCheck(
        name,
        query,
        DEFAULT_INTERVAL_SECONDS,
        DEFAULT_COUNT,
        successCondition,
        null,
        0,
        0,
        null,
        false);
  }

  /** A CEL double literal: always with a decimal point, never in exponent form. */
  static String literal(double value) {
    if (!Double.isFinite(value) || value < 0) {
      throw new IllegalArgumentException("a threshold must be a finite number >= 0, was " + value);
    }
    String plain = BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    return plain.contains(".") ? plain : plain + ".0";
  }
}
