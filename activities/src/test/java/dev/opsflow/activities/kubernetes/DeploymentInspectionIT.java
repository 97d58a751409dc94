package dev.opsflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.opsflow.activities.FailureTypes;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link KubernetesActivities#inspectDeployment} against fabric8's CRUD mock server: which HPA,
 * KEDA ScaledObject or GitOps controller also controls a Deployment.
 */
class DeploymentInspectionIT {
  private static final String NS = "shop";
  private static CrudApiServer api;
  private static KubernetesActivitiesImpl activities;

  @BeforeAll
  static void start() {
    api = new CrudApiServer();
    api.server.expectCustomResource(
        new CustomResourceDefinitionContext.Builder()
            .withGroup("keda.sh")
            .withVersion("v1alpha1")
            .withKind("ScaledObject")
            .withPlural("scaledobjects")
            .withScope("Namespaced")
            .build());
    api.namespace(NS);
    api.namespace("other");
    activities =
        new KubernetesActivitiesImpl(
            api.client, new NamespaceAllowList(List.of(NS, "nokeda")), new HardLimits(10, "8Gi"));
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static void hpa(String namespace, String name, String kind, String target) {
    api.client
        .autoscaling()
        .v2()
        .horizontalPodAutoscalers()
        .inNamespace(namespace)
        .resource(
            new HorizontalPodAutoscalerBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .withNewScaleTargetRef()
                .withApiVersion("apps/v1")
                .withKind(kind)
                .withName(target)
                .endScaleTargetRef()
                .withMinReplicas(1)
                .withMaxReplicas(5)
                .endSpec()
                .build())
        .create();
  }

  private static void scaledObject(String namespace, String name, Map<String, Object> target) {
    GenericKubernetesResource so =
        new GenericKubernetesResourceBuilder()
            .withApiVersion("keda.sh/v1alpha1")
            .withKind("ScaledObject")
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .endMetadata()
            .addToAdditionalProperties("spec", Map.of("scaleTargetRef", target))
            .build();
    api.client
        .genericKubernetesResources(KubernetesActivitiesImpl.SCALED_OBJECT)
        .inNamespace(namespace)
        .resource(so)
        .create();
  }

  @Test
  void aPlainDeploymentHasNoOtherController() {
    api.deployment(NS, "plain", 3, Map.of(), Map.of());
    assertThat(activities.inspectDeployment(NS, "plain"))
        .isEqualTo(new DeploymentInspection(NS, "plain", true, true, 3, "", "", ""));
  }

  @Test
  void aMissingDeploymentIsReportedNotThrown() {
    DeploymentInspection missing = activities.inspectDeployment(NS, "nope");
    assertThat(missing.exists()).isFalse();
    assertThat(missing.inAllowList()).isTrue();
    assertThat(missing.scaledBy()).isEmpty();
  }

  @Test
  void aNamespaceOutsideTheAllowListIsReported() {
    api.deployment("other", "elsewhere");
    DeploymentInspection outside = activities.inspectDeployment("other", "elsewhere");
    assertThat(outside.exists()).isTrue();
    assertThat(outside.inAllowList()).isFalse();
  }

  @Test
  void findsTheHpaThatTargetsThisDeploymentOnly() {
    api.deployment(NS, "autoscaled");
    api.deployment(NS, "neighbour");
    hpa(NS, "neighbour-hpa", "Deployment", "neighbour");
    hpa(NS, "same-name-statefulset", "StatefulSet", "autoscaled");
    hpa(NS, "autoscaled-hpa", "Deployment", "autoscaled");

    DeploymentInspection inspection = activities.inspectDeployment(NS, "autoscaled");

    assertThat(inspection.horizontalPodAutoscaler()).isEqualTo("autoscaled-hpa");
    assertThat(inspection.scaledBy()).isEqualTo("scaled by HorizontalPodAutoscaler autoscaled-hpa");
  }

  @Test
  void findsTheKedaScaledObjectThatTargetsThisDeployment() {
    api.deployment(NS, "consumer");
    api.deployment(NS, "worker");
    scaledObject(NS, "other-so", Map.of("name", "worker", "kind", "Deployment"));
    scaledObject(NS, "consumer-so", Map.of("name", "consumer"));

    DeploymentInspection inspection = activities.inspectDeployment(NS, "consumer");

    assertThat(inspection.scaledObject()).isEqualTo("consumer-so");
    assertThat(inspection.horizontalPodAutoscaler()).isEmpty();
    assertThat(inspection.scaledBy()).isEqualTo("scaled by KEDA ScaledObject consumer-so");
  }

  @Test
  void withoutTheKedaCrdNothingIsScaledByKeda() throws Exception {
    api.namespace("nokeda");
    api.deployment("nokeda", "consumer");
    api.server
        .expect()
        .get()
        .withPath("/apis/keda.sh/v1alpha1/namespaces/nokeda/scaledobjects")
        .andReturn(404, "{\"kind\":\"Status\",\"code\":404,\"reason\":\"NotFound\"}")
        .always();
    api.drain();

    DeploymentInspection inspection = activities.inspectDeployment("nokeda", "consumer");

    assertThat(inspection.scaledObject()).isEmpty();
    assertThat(inspection.exists()).isTrue();
    assertThat(api.drain())
        .extracting(RecordedRequest::getPath)
        .contains("/apis/keda.sh/v1alpha1/namespaces/nokeda/scaledobjects");
  }

  @Test
  void aKedaListWeMayNotReadIsNotANo() {
    api.namespace("locked");
    api.deployment("locked", "consumer");
    api.server
        .expect()
        .get()
        .withPath("/apis/keda.sh/v1alpha1/namespaces/locked/scaledobjects")
        .andReturn(403, "{\"kind\":\"Status\",\"code\":403,\"reason\":\"Forbidden\"}")
        .always();

    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class, () -> activities.inspectDeployment("locked", "consumer"));

    assertThat(failure.getType()).isEqualTo(FailureTypes.PERMISSION_DENIED);
  }

  private static String ownerOf(
      String name, Map<String, String> labels, Map<String, String> annotations) {
    api.deployment(NS, name, 1, labels, annotations);
    return activities.inspectDeployment(NS, name).gitOpsOwner();
  }

  @Test
  void namesTheArgoCdApplicationFromEachTrackingMethod() {
    assertThat(ownerOf("argo-label", Map.of("argocd.argoproj.io/instance", "orders"), Map.of()))
        .isEqualTo("Argo CD application orders");
    assertThat(
            ownerOf(
                "argo-annotation",
                Map.of(),
                Map.of(
                    "argocd.argoproj.io/tracking-id",
                    "payments:apps/Deployment:shop/argo-annotation")))
        .isEqualTo("Argo CD application payments");
    assertThat(
            ownerOf(
                "argo-instance",
                Map.of("app.kubernetes.io/instance", "checkout"),
                Map.of("argocd.argoproj.io/sync-options", "Prune=false")))
        .isEqualTo("Argo CD application checkout");
    assertThat(ownerOf("helm-only", Map.of("app.kubernetes.io/instance", "checkout"), Map.of()))
        .as("app.kubernetes.io/instance alone is Helm's too, not Argo CD's")
        .isEmpty();
  }

  @Test
  void namesTheFluxKustomizationOrHelmRelease() {
    assertThat(
            ownerOf(
                "flux-kustomize",
                Map.of(
                    "kustomize.toolkit.fluxcd.io/name", "apps",
                    "kustomize.toolkit.fluxcd.io/namespace", "flux-system"),
                Map.of()))
        .isEqualTo("Flux Kustomization flux-system/apps");
    DeploymentInspection helm =
        activities.inspectDeployment(
            NS,
            api.deployment(
                    NS,
                    "flux-helm",
                    1,
                    Map.of(
                        "helm.toolkit.fluxcd.io/name", "orders",
                        "helm.toolkit.fluxcd.io/namespace", "apps"),
                    Map.of())
                .getMetadata()
                .getName());
    assertThat(helm.gitOpsOwner()).isEqualTo("Flux HelmRelease apps/orders");
    assertThat(helm.ownedBy()).isEqualTo("managed by Flux HelmRelease apps/orders");
  }
}
