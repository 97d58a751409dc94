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

  private MetricsOptions() {}
}
