package dev.opsflow.activities.postgres;

import dev.opsflow.activities.FailureTypes;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/** Activity options for {@link PostgresActivities}. */
public final class PostgresOptions {

  /**
   * For {@link PostgresActivities#connectionUsage} and {@link PostgresActivities#replicationStatus}
   * (catalogue reads).
   *
   * <p>Start-to-close 30 s: one connection (5 s connect timeout) and one or two queries (15 s
   * socket timeout each at worst). Schedule-to-close 2 min: a connection count or a lag older than
   * that is no basis for acting, so the workflow should escalate instead. Retries start at 2 s and
   * double up to 20 s, at most 5 attempts, which spans a server restart. Refused credentials and a
   * missing database are never retried.
   */
  public static final ActivityOptions READ_POSTGRES =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setScheduleToCloseTimeout(Duration.ofMinutes(2))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(2))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofSeconds(20))
                  .setMaximumAttempts(5)
                  .setDoNotRetry(FailureTypes.NON_RETRYABLE.toArray(String[]::new))
                  .build())
          .build();

  /**
   * For {@link PostgresActivities#terminateIdleSessions} and {@link
   * PostgresActivities#setDefaultReadOnly}, which change what the server's users experience.
   *
   * <p>Start-to-close 45 s: a snapshot query, one terminate statement and up to 5 s waiting for the
   * ended sessions to exit (or for a configuration reload to reach new sessions). Both calls are
   * idempotent, so a retry after a lost answer is safe, but few attempts (3, from 2 s up to 10 s)
   * keep a failing action from dragging on: the workflow decides what next. Schedule-to-close 3
   * min. Bad input, refused privileges and a missing database are never retried.
   */
  public static final ActivityOptions MUTATING_POSTGRES =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(45))
          .setScheduleToCloseTimeout(Duration.ofMinutes(3))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(2))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofSeconds(10))
                  .setMaximumAttempts(3)
                  .setDoNotRetry(FailureTypes.NON_RETRYABLE.toArray(String[]::new))
                  .build())
          .build();

  /**
   * For {@link PostgresActivities#promote}.
   *
   * <p>Start-to-close 2 min: the activity waits up to {@link PostgresActivitiesImpl#PROMOTE_WAIT}
   * (60 s) for the standby to finish recovery, heartbeating every second; heartbeat timeout 10 s so
   * a worker that died mid-wait is noticed quickly. A retry is safe (an already promoted server
   * reports itself as primary) and resumes the wait: 3 attempts, 5 s doubling to 20 s.
   * Schedule-to-close 6 min: a failover that has not happened by then needs a human.
   */
  public static final ActivityOptions PROMOTE_POSTGRES =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(2))
          .setScheduleToCloseTimeout(Duration.ofMinutes(6))
          .setHeartbeatTimeout(Duration.ofSeconds(10))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(5))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofSeconds(20))
                  .setMaximumAttempts(3)
                  .setDoNotRetry(FailureTypes.NON_RETRYABLE.toArray(String[]::new))
                  .build())
          .build();

  private PostgresOptions() {}
}
