package dev.opsflow.contracts.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One metric of an {@link AnalysisTemplate}: a PromQL query measured {@code count} times, every
 * {@code intervalSeconds}, each measurement judged by CEL conditions (Argo Rollouts' metric, with
 * comparisons against the stable version).
 *
 * <p>The conditions are CEL expressions over {@code result}: a number when the query yields a
 * scalar or one series, a list of numbers when it yields several series. A condition that names
 * {@code stable} is also given the same query run against the stable version ({@code {{canary}}}
 * standing for the stable Deployment), e.g. {@code result <= 1.5 * stable}. With both conditions a
 * measurement is FAILED when {@code failureCondition} holds, else SUCCESSFUL when {@code
 * successCondition} holds, else INCONCLUSIVE; with only one, its opposite decides the other way.
 *
 * <p>Limits are Argo's: the metric fails when failed measurements exceed {@code failureLimit}
 * (default 0: the first failure fails it), is inconclusive when inconclusive ones exceed {@code
 * inconclusiveLimit}, is in error when consecutive errors exceed {@code consecutiveErrorLimit}
 * (default 4). An inconclusive or errored measurement within its limit is a gap, not a pass: it is
 * taken again and does not count towards {@code count}.
 *
 * @param name the metric's name in the rollout's status, e.g. {@code error-rate}
 * @param query a PromQL template; see {@link QueryTemplate} for the placeholders
 * @param intervalSeconds time between measurements; 0 allowed only for a single measurement
 * @param count how many conclusive (successful or failed) measurements decide the metric, at least
 *     1
 * @param successCondition CEL, true when the measurement is healthy; may be null when {@code
 *     failureCondition} is set
 * @param failureCondition CEL, true when the measurement is unhealthy; may be null when {@code
 *     successCondition} is set
 * @param failureLimit failed measurements tolerated; below {@code count}
 * @param inconclusiveLimit inconclusive measurements tolerated (each taken again)
 * @param consecutiveErrorLimit consecutive errored measurements tolerated; null means 4
 * @param dryRun measured and recorded, never decides the analysis
 */
public record MetricCheck(
    String name,
    String query,
    long intervalSeconds,
    int count,
    String successCondition,
    String failureCondition,
    int failureLimit,
    int inconclusiveLimit,
    Integer consecutiveErrorLimit,
    boolean dryRun) {

  /** Argo Rollouts' default for {@link #consecutiveErrorLimit()}. */
  public static final int DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;

  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9_]{0,61}[a-z0-9])?");

  public MetricCheck {
    consecutiveErrorLimit =
        consecutiveErrorLimit == null ? DEFAULT_CONSECUTIVE_ERROR_LIMIT : consecutiveErrorLimit;
    successCondition = blankToNull(successCondition);
    failureCondition = blankToNull(failureCondition);
  }

  /** The same metric measured {@code count} times every {@code intervalSeconds}. */
  public MetricCheck every(long intervalSeconds, int count) {
    return new MetricCheck(
        name,
        query,
        intervalSeconds,
        count,
        successCondition,
        failureCondition,
        failureLimit,
        inconclusiveLimit,
        consecutiveErrorLimit,
        dryRun);
  }

  /** The same metric with other limits. */
  public MetricCheck tolerating(int failureLimit, int inconclusiveLimit) {
    return new MetricCheck(
        name,
        query,
        intervalSeconds,
        count,
        successCondition,
        failureCondition,
        failureLimit,
        inconclusiveLimit,
        consecutiveErrorLimit,
        dryRun);
  }

  /** The same metric, measured and recorded but never deciding. */
  public MetricCheck asDryRun() {
    return new MetricCheck(
        name,
        query,
        intervalSeconds,
        count,
        successCondition,
        failureCondition,
        failureLimit,
        inconclusiveLimit,
        consecutiveErrorLimit,
        true);
  }

  /**
   * Problems that need no expression compiler, each starting with the field it is about; empty when
   * none. Whether the conditions compile is checked where CEL lives (the metrics activity's {@code
   * AnalysisConditions}).
   */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (name == null || !NAME.matcher(name).matches()) {
      problems.add(
          "name: "
              + (name == null ? "is required" : "'" + name + "'" + " is not a metric name")
              + " (lower-case letters, digits, '-' and '_', at most 63)");
    }
    for (String problem : QueryTemplate.problems(query)) {
      problems.add("query: " + problem);
    }
    if (count < 1) {
      problems.add("count: must be at least 1, was " + count);
    }
    if (intervalSeconds < 0) {
      problems.add("intervalSeconds: must not be negative, was " + intervalSeconds);
    } else if (intervalSeconds == 0 && count > 1) {
      problems.add("intervalSeconds: must be at least 1 when count is " + count);
    }
    if (successCondition == null && failureCondition == null) {
      problems.add("successCondition: is required when failureCondition is not set");
    }
    if (failureLimit < 0) {
      problems.add("failureLimit: must not be negative, was " + failureLimit);
    } else if (count >= 1 && failureLimit >= count) {
      problems.add(
          "failureLimit: must be below count ("
              + count
              + "), or the metric could pass without one successful measurement");
    }
    if (inconclusiveLimit < 0) {
      problems.add("inconclusiveLimit: must not be negative, was " + inconclusiveLimit);
    }
    if (consecutiveErrorLimit < 0) {
      problems.add("consecutiveErrorLimit: must not be negative, was " + consecutiveErrorLimit);
    }
    return problems;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
