package dev.opsflow.activities.metrics;

import dev.opsflow.activities.FailureTypes;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/** Activity options for {@link MetricsActivities}. */
public final class MetricsOptions {

  /**
   * For every {@link MetricsActivities} call (all are reads).
   *
   * <p>Start-to-close 40 s: one HTTP request that the client abandons after {@link
   * MetricsActivitiesImpl#DEFAULT_REQUEST_TIMEOUT} (30 s), plus parsing. Schedule-to-close 3 min: a
   * metric read later than that is no basis for acting on the present, so the workflow should
   * escalate instead. Reads are cheap and harmless, so they get several attempts: from 1 s doubling
   * up to 20 s, at most 6 attempts, which spans a Prometheus restart or a brief overload (HTTP
   * 503). Rejected queries, refused credentials and a wrong URL are never retried.
   */
  public static final ActivityOptions READ_METRICS =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(40))
          .setScheduleToCloseTimeout(Duration.ofMinutes(3))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(1))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofSeconds(20))
                  .setMaximumAttempts(6)
                  .setDoNotRetry(FailureTypes.NON_RETRYABLE.toArray(String[]::new))
                  .build())
          .build();

  /**
   * For {@link MetricsActivities#measure}. A measurement reports Prometheus trouble as an
   * inconclusive outcome instead of failing, so retries only cover a lost worker: start-to-close 75
   * s (two queries of up to 30 s each, canary and stable, plus CEL), 3 attempts, then the workflow
   * records the measurement as inconclusive and goes on measuring at the next interval rather than
   * acting on a stale one.
   */
  public static final ActivityOptions MEASURE =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(75))
          .setScheduleToCloseTimeout(Duration.ofMinutes(4))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(1))
                  .setBackoffCoefficient(2.0)
                  .setMaximumAttempts(3)
                  .setDoNotRetry(FailureTypes.NON_RETRYABLE.toArray(String[]::new))
                  .build())
          .build();

  private MetricsOptions() {}
}
