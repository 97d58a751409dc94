package dev.opsflow.activities.kubernetes;

import io.temporal.activity.ActivityInterface;
import java.util.List;

/**
 * Everything opsflow does to a Kubernetes cluster. There is deliberately no method that deletes
 * anything (pods included). Every method first checks each name it is given as what it names
 * (namespace, Deployment, Service, container, label selector; {@code InvalidName} otherwise, before
 * any request). Every mutating method then checks the namespace against the configured allow-list
 * ({@code ForbiddenTarget}) and the worker's hard limits ({@code PolicyViolation}: replicas above
 * {@code healing.maxReplicas}, memory above {@code healing.memoryCeiling}), takes an action id,
 * sets desired state rather than applying deltas, so a retry after a crash changes nothing twice,
 * and writes with field manager {@code opsflow}. Failures: 403 -> {@code PermissionDenied}, 404 ->
 * {@code NotFound}, 400/422 -> {@code InvalidInput} (all non-retryable); connection problems,
 * timeouts and 5xx are retried.
 */
@ActivityInterface
public interface KubernetesActivities {
  /** Replicas, rollout state and container resources of a Deployment. */
  DeploymentInfo getDeployment(String namespace, String name);

  /**
   * Who else controls a Deployment: the HPA or KEDA ScaledObject that scales it and the GitOps
   * controller that owns it, read before asking for a governor slot so the remediation escalates
   * instead of fighting them. A Deployment that does not exist is {@code exists = false}, not a
   * failure; a namespace outside the allow-list is {@code inAllowList = false}.
   */
  DeploymentInspection inspectDeployment(String namespace, String deployment);

  /** Scales to exactly {@code replicas}; {@code changed} is false when already there. */
  ScaleResult scaleDeployment(ScaleRequest request);

  /**
   * Sets a container's memory request and limit in the pod template (a rollout follows), and
   * records on the Deployment the action id and the memory from before, so a retry of the same
   * action reports "1Gi -> 2Gi" again instead of writing twice or reporting "2Gi -> 2Gi".
   */
  MemoryResult setContainerMemory(MemoryRequest request);

  /**
   * Restarts the pods by stamping {@code kubectl.kubernetes.io/restartedAt} on the pod template, as
   * {@code kubectl rollout restart} does, and records the action id (and, on the Deployment, the
   * stamp and revision from before) so a retry does not restart again and reports the first
   * attempt's result.
   */
  RestartResult rolloutRestart(RestartRequest request);

  /** Pods matching a label selector (empty = all in the namespace) with container states. */
  List<PodInfo> listPods(String namespace, String labelSelector);

  /**
   * Runs a command in each matching pod and returns each pod's output and exit status, which the
   * caller must check with {@link ExecOutput#succeeded()} / {@link ExecOutput#failed}: a non-zero
   * or missing exit status is reported as such, never as 0. Heartbeats per pod.
   */
  List<ExecOutput> execInPods(ExecRequest request);

  /** Points a Service at other pods (replaces its selector). */
  ServicePatchResult patchServiceSelector(ServicePatch patch);

  /**
   * Waits until the Deployment's rollout is complete, heartbeating progress; fails (retryably) when
   * {@code timeoutSeconds} pass first.
   */
  DeploymentInfo waitForRollout(String namespace, String name, long timeoutSeconds);
}
