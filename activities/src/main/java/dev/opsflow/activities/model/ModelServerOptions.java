package dev.opsflow.activities.model;

import dev.opsflow.activities.FailureTypes;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/** Activity options of {@link ModelServerActivities}. */
public final class ModelServerOptions {
  /** How long one evaluation request may take (it runs the whole validation set). */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  /**
   * An evaluation: one request the client abandons after {@link #REQUEST_TIMEOUT} (an evaluation
   * runs the whole validation set), from 2 s doubling up to 30 s over at most 10 minutes, which
   * spans a model server restart. A missing version, no server configured or an unreadable answer
   * is never retried: the run stops with nothing deployed.
   */
  public static final ActivityOptions EVALUATE =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(REQUEST_TIMEOUT.plusSeconds(10))
          .setScheduleToCloseTimeout(Duration.ofMinutes(10))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(2))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofSeconds(30))
                  .setDoNotRetry(nonRetryable())
                  .build())
          .build();

  private static String[] nonRetryable() {
    java.util.List<String> types = new java.util.ArrayList<>(FailureTypes.NON_RETRYABLE);
    types.add(ModelServerActivitiesImpl.UNREADABLE);
    return types.toArray(String[]::new);
  }

  private ModelServerOptions() {}
}
