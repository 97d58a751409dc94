package dev.opsflow.contracts.remediation;

import java.util.List;

/**
 * A Deployment's pods: what the crash-loop, OOM and disk-pressure remediations act on.
 *
 * @param namespace Kubernetes namespace
 * @param deployment Deployment to restart or resize (the disk remediation may leave it empty and
 *     name the pods by {@code podSelector})
 * @param container container within the pods (empty = the first one)
 * @param podSelector label selector of the pods (empty = app=&lt;deployment&gt;)
 */
public record WorkloadTarget(
    String namespace, String deployment, String container, String podSelector) implements Target {
  static final List<String> FIELDS = List.of("namespace", "deployment", "container", "podSelector");

  public WorkloadTarget {
    namespace = Target.orEmpty(namespace);
    deployment = Target.orEmpty(deployment);
    container = Target.orEmpty(container);
    podSelector = Target.orEmpty(podSelector);
  }

  /** A Deployment, its first container, its pods by app=&lt;deployment&gt;. */
  public static WorkloadTarget of(String namespace, String deployment) {
    return new WorkloadTarget(namespace, deployment, "", "");
  }

  /** The label selector of the target's pods. */
  public String effectivePodSelector() {
    return podSelector.isEmpty() ? "app=" + deployment : podSelector;
  }

  @Override
  public java.util.Map<String, String> fields() {
    return Target.named(FIELDS, namespace, deployment, container, podSelector);
  }

  @Override
  public List<String> keyParts() {
    // The selector is not part of the problem's identity (it was never part of the key).
    return Target.present(namespace, deployment, container);
  }
}
