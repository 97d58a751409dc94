package dev.opsflow.activities.dispatch;

import dev.opsflow.activities.FailureTypes;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/** Temporal options of {@link DispatchActivities}. */
public final class DispatchOptions {
  /**
   * Signal-with-start is one RPC to the Temporal frontend; it is safe to repeat (a duplicate notice
   * is dropped by the episode set, a duplicate admission request by the governor), so retry for up
   * to ten minutes while the frontend is unavailable.
   */
  public static final ActivityOptions SIGNAL =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(15))
          .setScheduleToCloseTimeout(Duration.ofMinutes(10))
          .setRetryOptions(
              backoff().setDoNotRetry(FailureTypes.NON_RETRYABLE.toArray(String[]::new)).build())
          .build();

  /**
   * Reading the worker's own policy touches nothing outside the worker; it only fails when no
   * worker runs, so retry with backoff for as long as the signal path does.
   */
  public static final ActivityOptions POLICY =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(10))
          .setScheduleToCloseTimeout(Duration.ofMinutes(10))
          .setRetryOptions(backoff().build())
          .build();

  /** From one second, doubling, to at most 30 s between attempts. */
  private static RetryOptions.Builder backoff() {
    return RetryOptions.newBuilder()
        .setInitialInterval(Duration.ofSeconds(1))
        .setBackoffCoefficient(2.0)
        .setMaximumInterval(Duration.ofSeconds(30));
  }

  private DispatchOptions() {}
}
