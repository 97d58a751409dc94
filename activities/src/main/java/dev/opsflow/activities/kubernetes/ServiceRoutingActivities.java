package dev.opsflow.activities.kubernetes;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Where a Service sends its traffic, for a database failover: the pods' role labels and the
 * Service's endpoints. The Service's selector itself is changed with {@link
 * KubernetesActivities#patchServiceSelector}. Names are checked first ({@code InvalidName}), the
 * namespace against {@code kubernetes.allowedNamespaces} before any change ({@code
 * ForbiddenTarget}); API answers map to failure types as in {@link KubernetesActivities}.
 */
@ActivityInterface
public interface ServiceRoutingActivities {

  /**
   * Sets {@code <labelKey>=replica} on the replica pods first, then {@code <labelKey>=primary} on
   * the primary pod: a Service selecting {@code <labelKey>=primary} then reaches no pod for a
   * moment, never two primaries at once.
   *
   * <p>Idempotent: a pod that already has its label is not written ({@code changed} leaves it out).
   *
   * @throws io.temporal.failure.ApplicationFailure {@code InvalidInput} for a missing action id, no
   *     pods or a primary also listed as replica; {@code NotFound} if a pod does not exist (then no
   *     label was changed)
   */
  @ActivityMethod
  RoleLabels setRoleLabels(RoleLabelRequest request);

  /**
   * Waits until the Service's Endpoints name exactly the request's pod as ready, heartbeating what
   * they name ({@link ServiceEndpoints}) every poll.
   *
   * <p>Read-only.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code InvalidInput} for a timeout outside 1-600
   *     s; non-retryable {@value ServiceRoutingActivitiesImpl#ENDPOINTS_NOT_CONVERGED} past the
   *     timeout, naming the pods the endpoints still list (details: {@link ServiceEndpoints})
   */
  @ActivityMethod
  ServiceEndpoints awaitEndpoints(EndpointsRequest request);
}
