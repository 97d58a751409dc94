package dev.opsflow.activities.rollout;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.activities.LocalRetries;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Temporal options of {@link ReleaseActivities} and {@link TrafficRouterActivities}. */
public final class RolloutOptions {
  private static final String[] NON_RETRYABLE = nonRetryable();

  /**
   * Changes that wait for pods (scale the canary, set a replica-ratio weight, restore the stable,
   * promote): one attempt may wait {@link ReleaseActivitiesImpl#READY_TIMEOUT_SECONDS} for ready
   * pods, heartbeating every poll, so a dead worker is noticed within 30 s and the attempt resumes
   * elsewhere (each call compares desired with actual state, so a retry changes nothing twice).
   * Three attempts: pods that are not ready after half an hour are a reason to roll back.
   */
  public static final ActivityOptions CHANGE_AND_WAIT =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(
              Duration.ofSeconds(ReleaseActivitiesImpl.READY_TIMEOUT_SECONDS + 60))
          .setHeartbeatTimeout(Duration.ofSeconds(30))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(2))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofSeconds(30))
                  .setMaximumAttempts(3)
                  .setDoNotRetry(NON_RETRYABLE)
                  .build())
          .build();

  /**
   * Taking traffic back from a new version that failed (an ML model deployment's rollback): the
   * same attempt as {@link #CHANGE_AND_WAIT}, but retried from 5 s doubling up to a minute for half
   * an hour, so an API server outage delays the rollback instead of abandoning it. The workflow
   * measures the rollback and tells a human once it takes longer than its limit.
   */
  public static final ActivityOptions ROLLBACK =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(
              Duration.ofSeconds(ReleaseActivitiesImpl.READY_TIMEOUT_SECONDS + 60))
          .setScheduleToCloseTimeout(Duration.ofMinutes(30))
          .setHeartbeatTimeout(Duration.ofSeconds(30))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(5))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofMinutes(1))
                  .setDoNotRetry(NON_RETRYABLE)
                  .build())
          .build();

  /** The server's {@code rollout.*} settings: a read of the worker's own configuration. */
  public static final LocalActivityOptions LOCAL_SETTINGS =
      LocalActivityOptions.newBuilder()
          .setLocalRetryThreshold(LocalRetries.THRESHOLD)
          .setStartToCloseTimeout(Duration.ofSeconds(10))
          .setScheduleToCloseTimeout(Duration.ofMinutes(10))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(1))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofSeconds(30))
                  .setMaximumAttempts(LocalRetries.TEN_MINUTES_OF_ATTEMPTS)
                  .build())
          .build();

  /** Compiling an analysis' conditions: pure and quick; a refusal is never retried. */
  public static final LocalActivityOptions LOCAL_VALIDATE =
      LocalActivityOptions.newBuilder()
          .setLocalRetryThreshold(LocalRetries.THRESHOLD)
          .setStartToCloseTimeout(Duration.ofSeconds(10))
          .setScheduleToCloseTimeout(Duration.ofMinutes(2))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(1))
                  .setMaximumAttempts(3)
                  .setDoNotRetry(NON_RETRYABLE)
                  .build())
          .build();

  private static String[] nonRetryable() {
    List<String> types = new ArrayList<>(FailureTypes.NON_RETRYABLE);
    types.add(TrafficRouterActivitiesImpl.ROUTER_NOT_AVAILABLE);
    return types.toArray(String[]::new);
  }

  private RolloutOptions() {}
}
