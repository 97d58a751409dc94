package dev.opsflow.activities.model;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The model server opsflow releases models to ({@code rollout.modelServerUrl}). Read-only.
 *
 * <p>Failures: {@code NotConfigured} (no model server URL), {@code NotFound} (the server has no
 * such version), {@code InvalidName} (a version that cannot go into a URL path) and {@value
 * ModelServerActivitiesImpl#UNREADABLE} (an answer without a usable accuracy) are non-retryable;
 * {@value ModelServerActivitiesImpl#UNAVAILABLE} (unreachable, timeout, 5xx) is retried.
 */
@ActivityInterface(namePrefix = "Model")
public interface ModelServerActivities {
  /**
   * The version's accuracy on the server's validation set: {@code GET
   * <url>/models/<version>/evaluate}, answered as {@code {"version","examples","correct",
   * "accuracy"}}.
   */
  @ActivityMethod
  ModelEvaluation evaluate(String modelVersion);
}
