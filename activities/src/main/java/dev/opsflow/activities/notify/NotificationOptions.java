package dev.opsflow.activities.notify;

import dev.opsflow.activities.FailureTypes;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/** Activity options for {@link NotificationActivities}. */
public final class NotificationOptions {

  /**
   * For Slack messages and the webhook ({@code postSlack}, {@code updateSlack}, {@code webhook}).
   *
   * <p>Start-to-close 30 s: one HTTP call that the clients abandon after {@link
   * NotificationActivitiesImpl#REQUEST_TIMEOUT} (10 s). Schedule-to-close 10 min: a notification
   * about an action is still worth delivering a few minutes late, not an hour late. Retries start
   * at 2 s and double up to 1 min, at most 8 attempts; Slack's rate limit for {@code
   * chat.postMessage} is about one message per second per channel and a 429's {@code Retry-After}
   * overrides the interval. Not configured, rejected payloads, refused tokens and unknown channels
   * are never retried.
   */
  public static final ActivityOptions NOTIFY =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setScheduleToCloseTimeout(Duration.ofMinutes(10))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(2))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofMinutes(1))
                  .setMaximumAttempts(8)
                  .setDoNotRetry(FailureTypes.NON_RETRYABLE.toArray(String[]::new))
                  .build())
          .build();

  /**
   * For PagerDuty events ({@code pagerDuty}).
   *
   * <p>A page is the escalation of last resort, so it keeps trying far longer than a chat message:
   * schedule-to-close 1 h, retries from 2 s doubling up to 2 min, at most 40 attempts (the 1 h
   * bound ends it first). Retrying is safe because the dedup key makes PagerDuty open one incident
   * however often a trigger arrives. Start-to-close 30 s as for {@link #NOTIFY}.
   */
  public static final ActivityOptions PAGE =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setScheduleToCloseTimeout(Duration.ofHours(1))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(2))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofMinutes(2))
                  .setMaximumAttempts(40)
                  .setDoNotRetry(FailureTypes.NON_RETRYABLE.toArray(String[]::new))
                  .build())
          .build();

  private NotificationOptions() {}
}
