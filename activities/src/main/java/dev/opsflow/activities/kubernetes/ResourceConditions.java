package dev.opsflow.activities.kubernetes;

import dev.opsflow.activities.FailureTypes;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Locale;

/**
 * Reads whether a resource's status condition holds, for a runbook's {@code kubernetes.condition}
 * probe: a Deployment's conditions (default {@code Available}), a Pod's (default {@code Ready}), a
 * StatefulSet's readiness (every desired replica ready, its only condition that exists everywhere).
 * Only reads. A resource that does not exist is {@code NotFound}; an unanswered read is retried.
 */
public final class ResourceConditions {
  /** Whether the condition holds, with the status and reason the API server reported. */
  public record ConditionState(
      String kind, String name, String condition, boolean holds, String status, String reason) {}

  private final KubernetesClient client;

  public ResourceConditions(KubernetesClient client) {
    this.client = client;
  }

  public ConditionState condition(String namespace, String kind, String name, String condition) {
    KubernetesActivitiesImpl.checkNames(
        () -> {
          KubernetesNames.namespace("namespace", namespace);
          KubernetesNames.pod("name", name);
        });
    String what = kind + " " + namespace + "/" + name;
    return switch (kind.toLowerCase(Locale.ROOT)) {
      case "deployment" -> deployment(namespace, name, condition, what);
      case "pod" -> pod(namespace, name, condition, what);
      case "statefulset" -> statefulSet(namespace, name, what);
      default ->
          throw FailureTypes.invalidInput(
              "kind '" + kind + "' is not one of Deployment, StatefulSet, Pod");
    };
  }

  private ConditionState deployment(String namespace, String name, String condition, String what) {
    String type = condition == null || condition.isBlank() ? "Available" : condition;
    Deployment d =
        KubernetesActivitiesImpl.call(
            "read " + what,
            () -> client.apps().deployments().inNamespace(namespace).withName(name).get());
    if (d == null) {
      throw FailureTypes.notFound(what + " does not exist");
    }
    List<DeploymentCondition> conditions =
        d.getStatus() == null || d.getStatus().getConditions() == null
            ? List.of()
            : d.getStatus().getConditions();
    return conditions.stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .map(
            c ->
                new ConditionState(
                    "Deployment",
                    name,
                    type,
                    "True".equals(c.getStatus()),
                    c.getStatus(),
                    c.getReason() == null ? "" : c.getReason()))
        .orElse(new ConditionState("Deployment", name, type, false, "Unknown", "not reported"));
  }

  private ConditionState pod(String namespace, String name, String condition, String what) {
    String type = condition == null || condition.isBlank() ? "Ready" : condition;
    Pod p =
        KubernetesActivitiesImpl.call(
            "read " + what, () -> client.pods().inNamespace(namespace).withName(name).get());
    if (p == null) {
      throw FailureTypes.notFound(what + " does not exist");
    }
    List<PodCondition> conditions =
        p.getStatus() == null || p.getStatus().getConditions() == null
            ? List.of()
            : p.getStatus().getConditions();
    return conditions.stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .map(
            c ->
                new ConditionState(
                    "Pod",
                    name,
                    type,
                    "True".equals(c.getStatus()),
                    c.getStatus(),
                    c.getReason() == null ? "" : c.getReason()))
        .orElse(new ConditionState("Pod", name, type, false, "Unknown", "not reported"));
  }

  private ConditionState statefulSet(String namespace, String name, String what) {
    StatefulSet s =
        KubernetesActivitiesImpl.call(
            "read " + what,
            () -> client.apps().statefulSets().inNamespace(namespace).withName(name).get());
    if (s == null) {
      throw FailureTypes.notFound(what + " does not exist");
    }
    int desired =
        s.getSpec() == null || s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
    int ready =
        s.getStatus() == null || s.getStatus().getReadyReplicas() == null
            ? 0
            : s.getStatus().getReadyReplicas();
    boolean holds = ready >= desired;
    return new ConditionState(
        "StatefulSet",
        name,
        "Ready",
        holds,
        holds ? "True" : "False",
        ready + " of " + desired + " replicas ready");
  }
}
