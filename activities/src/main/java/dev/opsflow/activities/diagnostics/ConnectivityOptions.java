package dev.opsflow.activities.diagnostics;

import dev.opsflow.activities.FailureTypes;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/** Temporal options of {@link ConnectivityActivities}. */
public final class ConnectivityOptions {
  /**
   * A probe opens one TCP connection with a 3 s connect timeout, so 10 s per attempt is generous;
   * an unreachable target is a result, so retries only cover worker trouble, and three are enough.
   */
  public static final ActivityOptions PROBE =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(10))
          .setScheduleToCloseTimeout(Duration.ofMinutes(1))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(1))
                  .setBackoffCoefficient(2.0)
                  .setMaximumAttempts(3)
                  .setDoNotRetry(FailureTypes.NON_RETRYABLE.toArray(String[]::new))
                  .build())
          .build();

  private ConnectivityOptions() {}
}
