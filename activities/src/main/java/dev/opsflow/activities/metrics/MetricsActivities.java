package dev.opsflow.activities.metrics;

import dev.opsflow.contracts.rollout.AnalysisSubject;
import dev.opsflow.contracts.rollout.AnalysisTemplate;
import dev.opsflow.contracts.rollout.Measurement;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * PromQL queries against the Prometheus HTTP API ({@code /api/v1/query} and {@code
 * /api/v1/query_range}). Run them with {@link MetricsOptions#READ_METRICS}.
 *
 * <p>Failures: {@code InvalidInput} for a query Prometheus rejects as {@code bad_data} (the message
 * carries Prometheus' own error text) or a request that fails validation here; {@code
 * PermissionDenied} for HTTP 401/403 (usually an authenticating proxy in front of Prometheus);
 * {@code NotFound} for HTTP 404 (no Prometheus API under the configured URL) - all non-retryable.
 * Connection refused, timeouts, HTTP 422 (query execution error), 429, 503 (query timeout or
 * overload) and other 5xx fail with the retryable types {@value MetricsActivitiesImpl#UNAVAILABLE}
 * or {@value MetricsActivitiesImpl#PROMETHEUS_ERROR}.
 */
@ActivityInterface
public interface MetricsActivities {

  /**
   * Evaluates a PromQL expression at one instant. A vector result yields one sample per series, a
   * scalar result one sample without labels. Nothing matching is the distinct outcome {@link
   * QueryOutcome#EMPTY}, never a sample of zero.
   *
   * <p>Read-only, so safe to retry and to call any number of times.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code InvalidInput} if the query is blank,
   *     Prometheus rejects it, or it yields a range vector or string; {@code PermissionDenied} on
   *     HTTP 401/403; {@code NotFound} on HTTP 404; a retryable failure if Prometheus is
   *     unreachable, slow or overloaded
   */
  @ActivityMethod
  InstantQueryResult instantQuery(InstantQuery query);

  /**
   * Evaluates a PromQL expression at every step of a time range, e.g. as input to a forecast. The
   * range may have at most {@value MetricsActivitiesImpl#MAX_POINTS_PER_SERIES} steps, Prometheus'
   * own limit.
   *
   * <p>Read-only, so safe to retry and to call any number of times.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code InvalidInput} if the query is blank, the
   *     step is not positive, the end is before the start, the range has too many steps, or
   *     Prometheus rejects the query; {@code PermissionDenied} on HTTP 401/403; {@code NotFound} on
   *     HTTP 404; a retryable failure if Prometheus is unreachable, slow or overloaded
   */
  @ActivityMethod
  RangeQueryResult rangeQuery(RangeQuery query);

  /**
   * Takes one measurement of an analysis metric: renders its query for the subject (placeholder
   * values escaped), reads it, and judges the value(s) with the metric's CEL conditions. A read
   * that gives nothing to judge (Prometheus unreachable or overloaded, no series, {@code NaN}, an
   * infinite value) is {@code INCONCLUSIVE}, never healthy; a query Prometheus rejects or a
   * condition that cannot be evaluated on the result is {@code ERROR}. Those are outcomes, not
   * failures: the activity fails only when the request itself is unusable. Run it with {@link
   * MetricsOptions#MEASURE}.
   *
   * <p>Read-only, so safe to retry and to call any number of times.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code InvalidInput} naming the field when the
   *     check or the subject is unusable (see {@link #validateAnalysis})
   */
  @ActivityMethod
  Measurement measure(MeasurementRequest request);

  /**
   * Refuses an analysis that cannot run: every problem of the template (conditions compiled with
   * CEL) and of the subject's names, each naming its field. Pure and quick, meant as a local
   * activity at the start of a rollout so a bad expression is refused before anything changes.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code InvalidInput} listing the problems
   */
  @ActivityMethod
  void validateAnalysis(AnalysisTemplate template, AnalysisSubject subject);
}
