package dev.opsflow.activities.rollout;

import dev.opsflow.contracts.rollout.RolloutTarget;
import dev.opsflow.contracts.rollout.TrafficRouterSpec;

/**
 * One way of splitting traffic (replica ratio, Gateway API HTTPRoute, feature flag, ...), behind
 * {@link TrafficRouterActivities}. A new router is one class implementing this, registered with the
 * worker; the workflow never knows which one runs.
 */
public interface TrafficRouter {
  /** The {@link TrafficRouterSpec} record this router serves. */
  Class<? extends TrafficRouterSpec> handles();

  /**
   * Sets the new version's weight, comparing with the system's state first, and returns the state
   * read back. Throws {@code io.temporal.failure.ApplicationFailure} with the failure types of the
   * system it touches (e.g. {@code ForbiddenTarget}, {@code NotFound}, {@code InvalidInput}).
   */
  RouterState setWeight(WeightRequest request);

  /** Reads the split as the system holds it now. Read-only. */
  RouterState readWeight(RolloutTarget target, TrafficRouterSpec router);
}
