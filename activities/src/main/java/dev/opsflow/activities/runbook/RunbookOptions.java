package dev.opsflow.activities.runbook;

import dev.opsflow.activities.FailureTypes;
import dev.opsflow.activities.LocalRetries;
import dev.opsflow.config.Durations;
import dev.opsflow.contracts.runbook.RetryPolicy;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Activity options for a runbook's steps: the step's own timeout and retry, bounded. */
public final class RunbookOptions {
  /** A probe's try when its step names no timeout. */
  public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);

  /** An action's try when its step names no timeout. */
  public static final Duration ACTION_TIMEOUT = Duration.ofMinutes(5);

  /** The longest try a step may ask for: a command's own maximum, 30 minutes. */
  public static final Duration MAX_TIMEOUT = Duration.ofMinutes(30);

  /** Tries of a probe, or of an action, whose step names no retry policy. */
  public static final int DEFAULT_ATTEMPTS = 3;

  /**
   * Expressions, as local activities: pure and quick, and an expression that fails fails the same
   * way every time, so one attempt.
   */
  public static final LocalActivityOptions EXPRESSIONS =
      LocalActivityOptions.newBuilder()
          .setLocalRetryThreshold(LocalRetries.THRESHOLD)
          .setStartToCloseTimeout(Duration.ofSeconds(10))
          .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
          .build();

  private RunbookOptions() {}

  /**
   * The options of one try of a step's probe or action: start-to-close its {@code timeout} (at most
   * {@link #MAX_TIMEOUT}), its retry policy's attempts, backoff and max backoff; failures the
   * activities call final ({@link FailureTypes#NON_RETRYABLE}) and expression errors are never
   * retried.
   *
   * @param defaultAttempts tries when the step names no retry policy (a command: 1, it may not be
   *     safe to run twice)
   */
  public static ActivityOptions forStep(
      String timeout, RetryPolicy retry, Duration defaultTimeout, int defaultAttempts) {
    Duration tryTimeout = timeout == null ? defaultTimeout : Durations.parse(timeout);
    if (tryTimeout.compareTo(MAX_TIMEOUT) > 0) {
      tryTimeout = MAX_TIMEOUT;
    }
    List<String> finalTypes = new ArrayList<>(FailureTypes.NON_RETRYABLE);
    finalTypes.add(RunbookExpressionActivities.EXPRESSION_ERROR);
    RetryOptions.Builder retries =
        RetryOptions.newBuilder()
            .setMaximumAttempts(retry == null ? defaultAttempts : Math.max(1, retry.attempts()))
            .setBackoffCoefficient(2.0)
            .setDoNotRetry(finalTypes.toArray(String[]::new));
    Duration backoff =
        retry == null || retry.backoff() == null
            ? Duration.ofSeconds(2)
            : Durations.parse(retry.backoff());
    retries.setInitialInterval(backoff.isZero() ? Duration.ofMillis(1) : backoff);
    if (retry != null && retry.maxBackoff() != null) {
      retries.setMaximumInterval(Durations.parse(retry.maxBackoff()));
    }
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(tryTimeout)
        .setRetryOptions(retries.build())
        .build();
  }
}
