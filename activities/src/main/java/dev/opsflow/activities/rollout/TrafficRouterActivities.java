package dev.opsflow.activities.rollout;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Moves a rollout's traffic between the stable and the new version through the router the run chose
 * ({@link dev.opsflow.contracts.rollout.TrafficRouterSpec}).
 */
@ActivityInterface(namePrefix = "Router")
public interface TrafficRouterActivities {
  /**
   * Gives the new version {@code request.weight()} percent; idempotent by action id and by state.
   *
   * @throws io.temporal.failure.ApplicationFailure non-retryable {@value
   *     TrafficRouterActivitiesImpl#ROUTER_NOT_AVAILABLE} when the worker has no router of the
   *     requested type, {@code InvalidInput} for a weight outside 0-100, and the router's own
   *     failure types
   */
  @ActivityMethod
  RouterState setWeight(WeightRequest request);

  /** Reads the split as the system holds it. Read-only. */
  @ActivityMethod
  RouterState readWeight(WeightRequest request);
}
