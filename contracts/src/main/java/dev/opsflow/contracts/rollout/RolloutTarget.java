package dev.opsflow.contracts.rollout;

/**
 * What a rollout changes: the stable Deployment behind a Service, and the new version.
 *
 * @param namespace the Deployment's namespace (must be in {@code kubernetes.allowedNamespaces})
 * @param service the Service in front of the stable (and, for a replica-ratio canary, the canary)
 *     pods
 * @param deployment the stable Deployment
 * @param container the container whose image changes; null = the pod's only container
 * @param image the new version's image
 */
public record RolloutTarget(
    String namespace, String service, String deployment, String container, String image) {
  /** Workflow IDs of rollouts start with this. */
  public static final String ID_PREFIX = "rollout-";

  /**
   * One rollout per Deployment, whatever its kind (canary, blue-green), so two can never move one
   * Deployment's traffic at once: {@code rollout-<namespace>.<deployment>}.
   */
  public String workflowId() {
    return ID_PREFIX + namespace + "." + deployment;
  }

  /**
   * The workflow ID of a rollout run as a stage of the run holding {@link #workflowId()} (an ML
   * model deployment's blue-green): {@code rollout-<namespace>.<deployment>:<stage>}. A ':' is in
   * no Kubernetes name, so it never names another Deployment's rollout.
   */
  public String stageWorkflowId(String stage) {
    return workflowId() + ":" + stage;
  }

  /** The canary Deployment's name: the stable one's with {@code -canary}. */
  public String canaryDeployment() {
    return deployment + "-canary";
  }
}
