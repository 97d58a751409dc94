package dev.opsflow.activities.kafka;

import dev.opsflow.activities.FailureTypes;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/** Activity options for {@link KafkaActivities}. */
public final class KafkaOptions {

  /**
   * For every {@link KafkaActivities} call (all are reads).
   *
   * <p>Start-to-close 45 s: an attempt makes up to four AdminClient calls; a healthy cluster
   * answers in well under a second, and an unreachable one fails the first call after the client's
   * 15 s API timeout ({@link KafkaActivitiesImpl#DEFAULT_API_TIMEOUT}), so 45 s only cuts off a
   * cluster that answers each call just before its timeout. Schedule-to-close 3 min: a lag reading
   * older than a few minutes is no basis for scaling, so the workflow should escalate instead.
   * Retries start at 2 s and double up to 30 s, at most 5 attempts, which spans a broker restart or
   * a leader election. Bad input, missing group and refused permissions are never retried.
   */
  public static final ActivityOptions READ_KAFKA =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(45))
          .setScheduleToCloseTimeout(Duration.ofMinutes(3))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(2))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofSeconds(30))
                  .setMaximumAttempts(5)
                  .setDoNotRetry(FailureTypes.NON_RETRYABLE.toArray(String[]::new))
                  .build())
          .build();

  private KafkaOptions() {}
}
