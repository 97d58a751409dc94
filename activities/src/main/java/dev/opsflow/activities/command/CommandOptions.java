package dev.opsflow.activities.command;

import dev.opsflow.activities.FailureTypes;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/** Activity options for {@link CommandActivities}. */
public final class CommandOptions {

  /**
   * For {@link CommandActivities#runCommand}.
   *
   * <p>Start-to-close 35 min: the longest timeout a request may ask for ({@link
   * CommandActivitiesImpl#MAX_TIMEOUT_SECONDS}, 30 min) plus time to kill the process tree and
   * collect output; the request's own timeout is what normally ends a run. Heartbeat timeout 30 s:
   * the activity heartbeats every {@link CommandActivitiesImpl#HEARTBEAT_INTERVAL} (5 s), so a
   * worker that died is noticed in half a minute instead of 35. A single attempt: a program that
   * ran halfway may not be safe to run again, so the workflow decides, not the retry policy.
   */
  public static final ActivityOptions RUN_COMMAND =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(35))
          .setScheduleToCloseTimeout(Duration.ofMinutes(40))
          .setHeartbeatTimeout(Duration.ofSeconds(30))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(5))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofMinutes(1))
                  .setMaximumAttempts(1)
                  .setDoNotRetry(FailureTypes.NON_RETRYABLE.toArray(String[]::new))
                  .build())
          .build();

  private CommandOptions() {}
}
