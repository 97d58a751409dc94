package dev.opsflow.sandbox.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.opsflow.sandbox.kubernetes.KubernetesSandbox;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The demo app against the sandbox's Kubernetes API: its users follow the canary's replicas and an
 * HTTPRoute's weights, and each version answers as its image says.
 */
class DemoAppIT {
  private static final String NS = "shop";
  private KubernetesSandbox kubernetes;
  private DemoApp app;

  @BeforeEach
  void seed() {
    kubernetes = KubernetesSandbox.start();
    kubernetes.seedApplication(NS, "web", 3, "registry.example/web:1.0");
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
    kubernetes.close();
  }

  /** A canary as the replica-ratio router makes one: the stable's pods plus a track label. */
  private void createCanary(String image, int replicas) {
    Deployment stable =
        kubernetes.client().apps().deployments().inNamespace(NS).withName("web").get();
    Map<String, String> labels = Map.of("app", "web", "track", "canary");
    Deployment canary =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("web-canary")
            .withNamespace(NS)
            .withLabels(labels)
            .withGeneration(1L)
            .endMetadata()
            .withNewSpec()
            .withReplicas(replicas)
            .withNewSelector()
            .withMatchLabels(labels)
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(labels)
            .endMetadata()
            .withSpec(stable.getSpec().getTemplate().getSpec())
            .editSpec()
            .editFirstContainer()
            .withImage(image)
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    kubernetes.client().apps().deployments().inNamespace(NS).resource(canary).create();
    kubernetes.reconcile();
  }

  @Test
  void theCanarysPodsSurviveBesideTheStablesAndGetTheirShareOfReplicas() {
    createCanary("registry.example/web:2.0", 1);
    kubernetes.reconcile(); // the stable's turn again: it must leave the canary's pods alone

    assertThat(
            kubernetes
                .client()
                .pods()
                .inNamespace(NS)
                .withLabel("track", "canary")
                .list()
                .getItems())
        .hasSize(1);
    assertThat(kubernetes.client().pods().inNamespace(NS).withLabel("app", "web").list().getItems())
        .hasSize(4);
    app = DemoApp.start(kubernetes.client(), NS, "web", 10);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(app.split().share("web-canary")).isCloseTo(0.25, within(1e-9));
              assertThat(app.split().share("web")).isCloseTo(0.75, within(1e-9));
            });
  }

  @Test
  void aBadCanaryAnswersTenPercentWith500WhileTheStableStaysHealthy() {
    createCanary("registry.example/web:2.0-bad", 3);
    app = DemoApp.start(kubernetes.client(), NS, "web", 200);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> count(app.exposition(), "web-canary", "200") >= 300);

    String page = app.exposition();
    double canaryErrors = count(page, "web-canary", "500");
    double canaryAll = canaryErrors + count(page, "web-canary", "200");
    double stableErrors = count(page, "web", "500");
    double stableAll = stableErrors + count(page, "web", "200");
    assertThat(canaryErrors / canaryAll).isCloseTo(0.10, within(0.01));
    assertThat(stableErrors / stableAll).isLessThan(0.005);
    assertThat(page)
        .contains(
            "http_request_duration_seconds_bucket{deployment=\"web-canary\",namespace=\"shop\",le=\"0.1\"} 0");
  }

  @Test
  void anHttpRouteNamedLikeTheServiceDecidesTheSplitByItsWeights() {
    createCanary("registry.example/web:2.0", 3);
    backendService("web-stable", Map.of("app", "web"));
    backendService("web-canary", Map.of("app", "web", "track", "canary"));
    // web-stable also selects the canary's pods: its 80 divide 3:3, web-canary's 20 go to the
    // canary
    ResourceDefinitionContext httpRoutes =
        new ResourceDefinitionContext.Builder()
            .withGroup("gateway.networking.k8s.io")
            .withVersion("v1")
            .withKind("HTTPRoute")
            .withPlural("httproutes")
            .withNamespaced(true)
            .build();
    GenericKubernetesResource route =
        new GenericKubernetesResourceBuilder()
            .withApiVersion("gateway.networking.k8s.io/v1")
            .withKind("HTTPRoute")
            .withNewMetadata()
            .withName("web")
            .withNamespace(NS)
            .endMetadata()
            .addToAdditionalProperties(
                "spec",
                Map.of(
                    "rules",
                    List.of(
                        Map.of(
                            "backendRefs",
                            List.of(
                                Map.of("name", "web-stable", "port", 80, "weight", 80),
                                Map.of("name", "web-canary", "port", 80, "weight", 20))))))
            .build();
    kubernetes
        .client()
        .genericKubernetesResources(httpRoutes)
        .inNamespace(NS)
        .resource(route)
        .create();

    app = DemoApp.start(kubernetes.client(), NS, "web", 10);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(app.split().share("web")).isCloseTo(0.4, within(1e-9));
              assertThat(app.split().share("web-canary")).isCloseTo(0.6, within(1e-9));
            });
  }

  @Test
  void aDeploymentNotBehindTheServiceIsNotServedAndTheSplitIsReadable() throws Exception {
    app = DemoApp.start(kubernetes.client(), NS, "web", 10);
    HttpClient http = HttpClient.newHttpClient();

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(app.split().share("web")).isEqualTo(1.0));
    HttpResponse<String> other =
        http.send(
            HttpRequest.newBuilder(URI.create(app.url() + "/shop/payments/checkout")).build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> split =
        http.send(
            HttpRequest.newBuilder(URI.create(app.url() + "/split")).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(other.statusCode()).isEqualTo(404);
    assertThat(split.body())
        .contains("\"deployment\" : \"web\"")
        .contains("\"image\" : \"registry.example/web:1.0\"")
        .contains("\"behaviour\" : \"good\"");
  }

  private void backendService(String name, Map<String, String> selector) {
    kubernetes
        .client()
        .services()
        .inNamespace(NS)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withSelector(selector)
                .addNewPort()
                .withPort(80)
                .endPort()
                .endSpec()
                .build())
        .create();
  }

  /** The counter's value for a Deployment and code, 0 when the series is absent. */
  static double count(String page, String deployment, String code) {
    Matcher m =
        Pattern.compile(
                "http_requests_total\\{code=\""
                    + code
                    + "\",deployment=\""
                    + Pattern.quote(deployment)
                    + "\",namespace=\"shop\"\\} (\\S+)")
            .matcher(page);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
