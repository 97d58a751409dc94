package dev.opsflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every manifest the chart renders with the test values, applied to fabric8's Kubernetes mock API
 * server in CRUD mode and read back: what the API server stores still grants the worker what it
 * needs, and every reference between the resources (service account, ConfigMaps, selectors, scale
 * target, Ingress backend) resolves to a resource that exists.
 */
@EnableKubernetesMockClient(crud = true)
class ChartOnApiServerIT {
  static KubernetesClient client;
  private static final String NS = RenderedChart.NAMESPACE;
  private static RenderedChart chart;

  @BeforeAll
  static void applyTheChart() {
    chart = RenderedChart.withTestValues();
    for (String ns : List.of(NS, "payments", "orders")) {
      client
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
    for (HasMetadata resource : chart.resources) {
      String ns =
          resource.getMetadata().getNamespace() == null
              ? NS
              : resource.getMetadata().getNamespace();
      stored(resource, ns).create();
    }
  }

  @Test
  void theStoredRolesLetTheWorkerScaleButNotDeletePods() {
    List<HasMetadata> stored = new ArrayList<>();
    for (String ns : List.of("payments", "orders")) {
      stored.addAll(client.rbac().roles().inNamespace(ns).list().getItems());
      stored.addAll(client.rbac().roleBindings().inNamespace(ns).list().getItems());
    }
    AccessReview review = new AccessReview(stored);

    for (String ns : List.of("payments", "orders")) {
      assertThat(review.can(NS, "opsflow-worker", "get", "", "pods", ns)).isTrue();
      assertThat(review.can(NS, "opsflow-worker", "patch", "apps", "deployments", ns)).isTrue();
      assertThat(review.can(NS, "opsflow-worker", "patch", "apps", "deployments/scale", ns))
          .isTrue();
      assertThat(review.can(NS, "opsflow-worker", "delete", "", "pods", ns)).isFalse();
    }
    assertThat(client.rbac().roles().inNamespace(NS).list().getItems()).isEmpty();
    // The bound subject is the service account the worker pods run as, and it exists.
    String sa =
        deployment("opsflow-worker").getSpec().getTemplate().getSpec().getServiceAccountName();
    assertThat(client.serviceAccounts().inNamespace(NS).withName(sa).get()).isNotNull();
    assertThat(
            client
                .rbac()
                .roleBindings()
                .inNamespace("payments")
                .withName("opsflow-worker")
                .get()
                .getSubjects())
        .singleElement()
        .satisfies(s -> assertThat(s.getName() + "@" + s.getNamespace()).isEqualTo(sa + "@" + NS));
  }

  @Test
  void everyConfigMapAndServiceAccountTheDeploymentsNameExists() {
    for (String name : List.of("opsflow-worker", "opsflow-starter")) {
      PodSpec pod = deployment(name).getSpec().getTemplate().getSpec();
      assertThat(
              client.serviceAccounts().inNamespace(NS).withName(pod.getServiceAccountName()).get())
          .as(name + " service account")
          .isNotNull();
      Stream.concat(
              pod.getContainers().get(0).getEnvFrom().stream()
                  .map(e -> e.getConfigMapRef().getName()),
              pod.getVolumes().stream()
                  .filter(v -> v.getConfigMap() != null)
                  .map(v -> v.getConfigMap().getName()))
          .forEach(
              cm ->
                  assertThat(client.configMaps().inNamespace(NS).withName(cm).get())
                      .as(name + " -> ConfigMap " + cm)
                      .isNotNull());
    }
  }

  @Test
  void selectorsAndTargetsPointAtTheRightPods() {
    Map<String, String> starterPods =
        deployment("opsflow-starter").getSpec().getTemplate().getMetadata().getLabels();
    Map<String, String> workerPods =
        deployment("opsflow-worker").getSpec().getTemplate().getMetadata().getLabels();

    Service starter = client.services().inNamespace(NS).withName("opsflow-starter").get();
    assertThat(starterPods).containsAllEntriesOf(starter.getSpec().getSelector());
    assertThat(workerPods).doesNotContainEntry("app.kubernetes.io/component", "starter");

    PodDisruptionBudget pdb =
        client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("opsflow-worker").get();
    assertThat(workerPods).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .containsEntry("app.kubernetes.io/component", "worker");

    GenericKubernetesResource scaled =
        (GenericKubernetesResource) stored(chart.custom("ScaledObject").get(0), NS).get();
    assertThat(deployment(scaled.<String>get("spec", "scaleTargetRef", "name"))).isNotNull();

    Ingress ingress =
        client.network().v1().ingresses().inNamespace(NS).withName("opsflow-starter").get();
    var backend =
        ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService();
    Service target = client.services().inNamespace(NS).withName(backend.getName()).get();
    assertThat(target.getSpec().getPorts())
        .extracting(ServicePort::getName)
        .contains(backend.getPort().getName());
    // The Service's named target port is a port the starter container declares.
    assertThat(
            deployment("opsflow-starter")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getPorts())
        .extracting(p -> p.getName())
        .contains(target.getSpec().getPorts().get(0).getTargetPort().getStrVal());
  }

  @Test
  void everyRenderedResourceIsStored() {
    for (HasMetadata resource : chart.resources) {
      String ns =
          resource.getMetadata().getNamespace() == null
              ? NS
              : resource.getMetadata().getNamespace();
      assertThat(stored(resource, ns).get())
          .as(resource.getKind() + " " + resource.getMetadata().getName())
          .isNotNull();
    }
  }

  private static Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(NS).withName(name).get();
  }

  /** The API path of a resource: custom resources (KEDA, Prometheus Operator) by their plural. */
  private static io.fabric8.kubernetes.client.dsl.Resource<? extends HasMetadata> stored(
      HasMetadata resource, String ns) {
    if (!(resource instanceof GenericKubernetesResource custom)) {
      return client.resource(resource).inNamespace(ns);
    }
    String[] groupVersion = custom.getApiVersion().split("/");
    var context =
        new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder()
            .withGroup(groupVersion[0])
            .withVersion(groupVersion[1])
            .withKind(custom.getKind())
            .withPlural(custom.getKind().toLowerCase(java.util.Locale.ROOT) + "s")
            .withNamespaced(true)
            .build();
    return client.genericKubernetesResources(context).inNamespace(ns).resource(custom);
  }
}
