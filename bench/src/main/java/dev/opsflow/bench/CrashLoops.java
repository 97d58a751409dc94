package dev.opsflow.bench;

import dev.opsflow.sandbox.kubernetes.KubernetesSandbox;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;

/**
 * Crash-looping Deployments on the sandbox's Kubernetes API, for remediations that act at once
 * (critical severity skips confirmation) and can be checked afterwards on the cluster.
 */
final class CrashLoops {
  static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

  private CrashLoops() {}

  static void seed(KubernetesSandbox kubernetes, List<String> names) {
    for (String name : names) {
      kubernetes.createDeployment(Alertmanager.NAMESPACE, name, 1, "256Mi", "512Mi");
    }
    kubernetes.reconcile();
    for (String name : names) {
      kubernetes.setContainerStatus(
          Alertmanager.NAMESPACE,
          name,
          new ContainerStatusBuilder()
              .withName("app")
              .withReady(false)
              .withRestartCount(12)
              .withNewState()
              .withNewWaiting()
              .withReason("CrashLoopBackOff")
              .endWaiting()
              .endState()
              .build());
    }
  }

  /**
   * Deletes the Deployments and their pods again when a round is done, so that every round (and the
   * benchmark after it) meets a cluster of the same size: the mock API server scans every stored
   * object for each request, so leftovers of earlier rounds would slow later ones for opsflow alone
   * (bare Temporal does not call the cluster).
   */
  static void remove(KubernetesSandbox kubernetes, List<String> names) {
    for (String name : names) {
      deployment(kubernetes, name).delete();
      kubernetes
          .client()
          .pods()
          .inNamespace(Alertmanager.NAMESPACE)
          .withLabel("app", name)
          .delete();
    }
  }

  /** True when the Deployment's pods were restarted by a rollout restart (the action's mark). */
  static boolean restarted(KubernetesSandbox kubernetes, String name) {
    Deployment d = deployment(kubernetes, name).get();
    Map<String, String> annotations = d.getSpec().getTemplate().getMetadata().getAnnotations();
    return annotations != null && annotations.containsKey(RESTARTED_AT);
  }

  private static io.fabric8.kubernetes.client.dsl.RollableScalableResource<Deployment> deployment(
      KubernetesSandbox kubernetes, String name) {
    return kubernetes
        .client()
        .apps()
        .deployments()
        .inNamespace(Alertmanager.NAMESPACE)
        .withName(name);
  }
}
