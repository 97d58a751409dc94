package dev.opsflow.activities.kubernetes;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.activities.LocalRetries;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/** Temporal options of {@link KubernetesActivities}, named for what they protect. */
public final class KubernetesOptions {
  private static final String[] NON_RETRYABLE = FailureTypes.NON_RETRYABLE.toArray(String[]::new);

  /** Reads are cheap and safe to repeat: short attempts, retried for up to two minutes. */
  public static final ActivityOptions READ_K8S =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(20))
          .setScheduleToCloseTimeout(Duration.ofMinutes(2))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(1))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofSeconds(20))
                  .setDoNotRetry(NON_RETRYABLE)
                  .build())
          .build();

  /**
   * The reads of {@link #READ_K8S} as local activities: they run in the worker that runs the
   * workflow task, so a read costs no activity task on the queue and no second workflow task, and
   * its answer is still recorded in the history (a marker) and replays. Only for reads that do not
   * heartbeat (a local activity cannot) and finish within a workflow task's few seconds.
   */
  public static final LocalActivityOptions LOCAL_READ_K8S =
      LocalActivityOptions.newBuilder()
          .setLocalRetryThreshold(LocalRetries.THRESHOLD)
          .setStartToCloseTimeout(Duration.ofSeconds(20))
          .setScheduleToCloseTimeout(Duration.ofMinutes(2))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(1))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofSeconds(20))
                  // The schedule-to-close budget alone did not end the retries of a local read
                  // (seen on the dev stack: attempt 13 after 3 min); 10 attempts, 1 s doubling to
                  // 20 s apart, end them inside it, and the run escalates "could not read".
                  .setMaximumAttempts(10)
                  .setDoNotRetry(NON_RETRYABLE)
                  .build())
          .build();

  /**
   * Changes to the cluster: few attempts (each is idempotent, but an API server that keeps failing
   * is a reason to escalate, not to keep pushing), never on Forbidden/NotFound/Invalid. The writes
   * heartbeat every second while they run, so a worker killed mid-write is noticed after the
   * heartbeat timeout (5 s) and the attempt retried on another worker, instead of after the 30 s
   * start-to-close timeout (the action id makes a retry report, not repeat, a write that landed).
   */
  public static final ActivityOptions MUTATING_K8S =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setHeartbeatTimeout(Duration.ofSeconds(5))
          .setScheduleToCloseTimeout(Duration.ofMinutes(3))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(2))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofSeconds(30))
                  .setMaximumAttempts(4)
                  .setDoNotRetry(NON_RETRYABLE)
                  .build())
          .build();

  /** Commands in pods (log cleanup, df): one pod at a time, heartbeat between pods. */
  public static final ActivityOptions EXEC_IN_PODS =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(10))
          .setHeartbeatTimeout(Duration.ofMinutes(3))
          .setScheduleToCloseTimeout(Duration.ofMinutes(25))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(5))
                  .setBackoffCoefficient(2.0)
                  .setMaximumAttempts(2)
                  .setDoNotRetry(NON_RETRYABLE)
                  .build())
          .build();

  /**
   * Waiting for a rollout can take many minutes: a long attempt that heartbeats every few seconds,
   * so a dead worker is noticed within a minute and the wait resumes elsewhere.
   */
  public static final ActivityOptions ROLLOUT_WAIT =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(30))
          .setHeartbeatTimeout(Duration.ofMinutes(1))
          .setScheduleToCloseTimeout(Duration.ofMinutes(35))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(5))
                  .setBackoffCoefficient(2.0)
                  .setMaximumAttempts(3)
                  .setDoNotRetry(NON_RETRYABLE)
                  .build())
          .build();

  private KubernetesOptions() {}
}
