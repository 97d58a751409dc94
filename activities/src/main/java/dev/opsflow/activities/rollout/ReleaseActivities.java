package dev.opsflow.activities.rollout;

import dev.opsflow.activities.kubernetes.DeploymentInfo;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * What a canary release does to the cluster beside moving traffic ({@link TrafficRouterActivities}
 * does that): the canary Deployment beside the stable one, its capacity, the stable's restoration
 * and the final promotion. Every change checks {@code kubernetes.allowedNamespaces} and {@code
 * healing.maxReplicas} in the activity, compares desired with actual state first (a retry changes
 * nothing twice), records the before-state on the canary, and never deletes a pod or a Deployment.
 *
 * <p>Failures: {@code InvalidName}, {@code ForbiddenTarget} (namespace not allowed, or a {@code
 * <deployment>-canary} that is not opsflow's), {@code PolicyViolation} (above the replica ceiling),
 * {@code NotFound} (no stable Deployment or container, no canary yet) are non-retryable; {@value
 * CanaryPair#NOT_READY} (pods not ready in time) and API trouble are retried.
 */
@ActivityInterface(namePrefix = "Release")
public interface ReleaseActivities {
  /** The server's {@code rollout.*} bounds. Read-only; meant as a local activity. */
  @ActivityMethod
  RolloutSettings settings();

  /**
   * Creates (or updates) {@code <deployment>-canary}: a copy of the stable's pod template with the
   * new image, 0 replicas, labelled as opsflow's canary of the stable and annotated with the owning
   * rollout and the stable's replicas and image before it.
   */
  @ActivityMethod
  ReleaseState deployCanary(ReleaseRequest request);

  /**
   * Gives the canary its share of the capacity for {@code request.weight()} (never fewer pods than
   * it has while traffic may reach them) and waits until they are ready. Heartbeats.
   */
  @ActivityMethod
  ReleaseState scaleCanary(ReleaseRequest request);

  /** Waits until a Deployment has {@code replicas} ready pods. Heartbeats; read-only. */
  @ActivityMethod
  DeploymentInfo awaitReady(ReadyRequest request);

  /** Scales the stable back to its replicas before the rollout and waits until they are ready. */
  @ActivityMethod
  ReleaseState restoreStable(ReleaseRequest request);

  /** Scales the canary to 0 (its pods go, the Deployment stays for a look and the next run). */
  @ActivityMethod
  ReleaseState scaleCanaryDown(ReleaseRequest request);

  /**
   * The final promotion: the stable gets the new image at its full capacity, and the call waits
   * until the stable's rollout is complete. The canary is left as it is (the workflow moves the
   * traffic back to the stable, then scales the canary down).
   */
  @ActivityMethod
  ReleaseState promote(ReleaseRequest request);
}
