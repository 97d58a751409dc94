package dev.opsflow.activities.kubernetes;

/**
 * Who else controls a Deployment, read before opsflow asks the governor for a slot: a change that
 * an HPA, a KEDA ScaledObject or a GitOps controller will undo is escalated instead of made.
 *
 * @param exists false when the Deployment does not exist (then the other fields are empty)
 * @param inAllowList the namespace is one opsflow may change ({@code kubernetes.allowedNamespaces})
 * @param replicas desired replicas (spec), 0 when it does not exist
 * @param horizontalPodAutoscaler name of the autoscaling/v2 HorizontalPodAutoscaler whose {@code
 *     scaleTargetRef} is this Deployment, or ""
 * @param scaledObject name of the KEDA ScaledObject whose {@code scaleTargetRef} is this
 *     Deployment, or "" (also "" when KEDA is not installed)
 * @param gitOpsOwner e.g. "Argo CD application orders" or "Flux Kustomization flux-system/apps",
 *     from the Deployment's labels and annotations, or ""
 */
public record DeploymentInspection(
    String namespace,
    String deployment,
    boolean exists,
    boolean inAllowList,
    int replicas,
    String horizontalPodAutoscaler,
    String scaledObject,
    String gitOpsOwner) {

  /**
   * Why opsflow must not scale this Deployment itself ("" when nothing else scales it), e.g.
   * "scaled by HorizontalPodAutoscaler orders-hpa".
   */
  public String scaledBy() {
    if (!horizontalPodAutoscaler.isEmpty()) {
      return "scaled by HorizontalPodAutoscaler " + horizontalPodAutoscaler;
    }
    if (!scaledObject.isEmpty()) {
      return "scaled by KEDA ScaledObject " + scaledObject;
    }
    return "";
  }

  /** Why a change to the pod template would be undone ("" when nobody else owns it). */
  public String ownedBy() {
    return gitOpsOwner.isEmpty() ? "" : "managed by " + gitOpsOwner;
  }
}
