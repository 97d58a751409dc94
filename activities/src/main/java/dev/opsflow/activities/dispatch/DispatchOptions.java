package dev.opsflow.activities.dispatch;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.activities.LocalRetries;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/** Temporal options of {@link DispatchActivities}. */
public final class DispatchOptions {
  /** One attempt of a call to the Temporal frontend (a signal, a query). */
  private static final Duration SIGNAL_ATTEMPT = Duration.ofSeconds(15);

  /** How long a call to the Temporal frontend is retried while it is unavailable. */
  private static final Duration SIGNAL_BUDGET = Duration.ofMinutes(10);

  /**
   * Signal-with-start is one RPC to the Temporal frontend; it is safe to repeat (a duplicate notice
   * is dropped by the episode set, a duplicate admission request by the governor), so retry for up
   * to ten minutes while the frontend is unavailable.
   */
  public static final ActivityOptions SIGNAL =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(SIGNAL_ATTEMPT)
          .setScheduleToCloseTimeout(SIGNAL_BUDGET)
          .setRetryOptions(signalRetry())
          .build();

  /**
   * The same signals as {@link #SIGNAL} to the blast-radius governor (ask for a slot, give it back,
   * record an action), as local activities: one RPC to Temporal itself, safe to repeat, run in the
   * worker that runs the workflow task, so none costs an activity task and a second workflow task.
   * The retries are the same; a local activity retried past the workflow task's timeout carries on
   * under a timer, recorded in the history.
   */
  public static final LocalActivityOptions LOCAL_SIGNAL =
      LocalActivityOptions.newBuilder()
          .setLocalRetryThreshold(LocalRetries.THRESHOLD)
          .setStartToCloseTimeout(SIGNAL_ATTEMPT)
          .setScheduleToCloseTimeout(SIGNAL_BUDGET)
          .setRetryOptions(
              signalRetry().toBuilder()
                  .setMaximumAttempts(LocalRetries.TEN_MINUTES_OF_ATTEMPTS)
                  .build())
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

  /**
   * The same read as {@link #POLICY}, as a local activity: it runs in the worker that runs the
   * workflow task, with no activity task on the queue and no second workflow task to take its
   * result, yet its answer is still recorded in the history (a marker) and replays.
   */
  public static final LocalActivityOptions LOCAL_POLICY =
      LocalActivityOptions.newBuilder()
          .setLocalRetryThreshold(LocalRetries.THRESHOLD)
          .setStartToCloseTimeout(Duration.ofSeconds(10))
          .setScheduleToCloseTimeout(Duration.ofMinutes(10))
          .setRetryOptions(
              backoff().setMaximumAttempts(LocalRetries.TEN_MINUTES_OF_ATTEMPTS).build())
          .build();

  /**
   * The governor's answer to "the last action on this problem" (a query), as a local activity: a
   * read with no side effect, recorded as a marker, without an activity task of its own. One call
   * to the Temporal frontend like a signal, so the same attempt timeout, budget and retries.
   */
  public static final LocalActivityOptions LOCAL_QUERY = LOCAL_SIGNAL;

  /** The backoff below, except for failures no retry can mend. */
  private static RetryOptions signalRetry() {
    return backoff().setDoNotRetry(FailureTypes.NON_RETRYABLE.toArray(String[]::new)).build();
  }

  /** From one second, doubling, to at most 30 s between attempts. */
  private static RetryOptions.Builder backoff() {
    return RetryOptions.newBuilder()
        .setInitialInterval(Duration.ofSeconds(1))
        .setBackoffCoefficient(2.0)
        .setMaximumInterval(Duration.ofSeconds(30));
  }

  private DispatchOptions() {}
}
