package dev.opsflow.activities.postgres;

import dev.opsflow.activities.FailureTypes;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;
import java.util.stream.Stream;

/** Activity options for {@link FailoverActivities}, named for what each protects. */
public final class FailoverOptions {

  /** Failure types of this activity set that no retry can fix, besides {@link FailureTypes}'. */
  private static final String[] DO_NOT_RETRY =
      Stream.concat(
              FailureTypes.NON_RETRYABLE.stream(),
              Stream.of(
                  FailoverActivitiesImpl.REPLAY_TIMEOUT,
                  FailoverActivitiesImpl.NOT_FENCED,
                  FailoverActivitiesImpl.FORMER_PRIMARY_WRITABLE))
          .toArray(String[]::new);

  /**
   * For {@link FailoverActivities#probe}: one attempt, since a down member is an answer and the
   * workflow counts the answers over its confirmation window. Start-to-close 15 s (5 s connect
   * timeout and one catalogue read).
   */
  public static final ActivityOptions PROBE_MEMBER =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(15))
          .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
          .build();

  /**
   * For {@link FailoverActivities#replicationState}, {@link FailoverActivities#finalLsn} and {@link
   * FailoverActivities#verifyWritable} (reads). Start-to-close 30 s (two sessions);
   * schedule-to-close 1 min, since a lag older than that is no basis for a promotion. Retries from
   * 1 s doubling to 10 s, at most 4 attempts.
   */
  public static final ActivityOptions READ_REPLICATION =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setScheduleToCloseTimeout(Duration.ofMinutes(1))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(1))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofSeconds(10))
                  .setMaximumAttempts(4)
                  .setDoNotRetry(DO_NOT_RETRY)
                  .build())
          .build();

  /**
   * For {@link FailoverActivities#fence} and {@link FailoverActivities#unfence}: writes stop (or
   * resume) for every client, and every second counts in the write-unavailability window, so
   * retries are quick (500 ms doubling to 5 s) and few (4). Start-to-close 30 s: a reload seen
   * within 5 s and ended sessions gone within 5 s. Both are idempotent, so the retry is safe.
   */
  public static final ActivityOptions FENCE_WRITES =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setScheduleToCloseTimeout(Duration.ofMinutes(2))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofMillis(500))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofSeconds(5))
                  .setMaximumAttempts(4)
                  .setDoNotRetry(DO_NOT_RETRY)
                  .build())
          .build();

  /**
   * For {@link FailoverActivities#waitForReplay}: the wait's own bound is the request's {@code
   * timeoutSeconds}, so the workflow must set start-to-close above it (use {@link
   * #waitForReplay(long)}). Heartbeats every poll; heartbeat timeout 10 s notices a dead worker.
   */
  public static ActivityOptions waitForReplay(long timeoutSeconds) {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(timeoutSeconds + 30))
        .setHeartbeatTimeout(Duration.ofSeconds(10))
        .setRetryOptions(
            RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofSeconds(1))
                .setBackoffCoefficient(2.0)
                .setMaximumInterval(Duration.ofSeconds(5))
                .setMaximumAttempts(3)
                .setDoNotRetry(DO_NOT_RETRY)
                .build())
        .build();
  }

  /**
   * For {@link FailoverActivities#promote}: waits up to {@link FailoverActivitiesImpl#PROMOTE_WAIT}
   * (60 s), heartbeating every few seconds; heartbeat timeout 15 s (one {@code pg_promote} step is
   * 5 s). A retry finds a promoted member and does nothing: 3 attempts, 2 s doubling to 10 s.
   */
  public static final ActivityOptions PROMOTE_REPLICA =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(2))
          .setScheduleToCloseTimeout(Duration.ofMinutes(5))
          .setHeartbeatTimeout(Duration.ofSeconds(15))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(2))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofSeconds(10))
                  .setMaximumAttempts(3)
                  .setDoNotRetry(DO_NOT_RETRY)
                  .build())
          .build();

  private FailoverOptions() {}
}
