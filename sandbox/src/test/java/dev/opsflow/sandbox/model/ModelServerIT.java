package dev.opsflow.sandbox.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.sandbox.kubernetes.KubernetesSandbox;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The model server over HTTP, serving the sandbox's {@code model} Deployments. */
class ModelServerIT {
  private static final String NS = "ml";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static KubernetesSandbox kubernetes;
  private static ModelServer server;

  @BeforeAll
  static void start() {
    kubernetes = KubernetesSandbox.start();
    kubernetes.seedApplication(NS, "model", 1, "registry.example/model-server:v1");
    canary("registry.example/model-server:v2");
    server = ModelServer.start(kubernetes.client(), NS, "model", 100);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (kubernetes != null) {
      kubernetes.close();
    }
  }

  private static void canary(String image) {
    Deployment stable =
        kubernetes.client().apps().deployments().inNamespace(NS).withName("model").get();
    Map<String, String> labels = Map.of("app", "model", "track", "canary");
    kubernetes
        .client()
        .apps()
        .deployments()
        .inNamespace(NS)
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName("model-canary")
                .withNamespace(NS)
                .withGeneration(1L)
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
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
                .build())
        .create();
    kubernetes.reconcile();
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void evaluatesEachVersionOnTheValidationSet() throws Exception {
    JsonNode v1 =
        JSON.readTree(
            send(HttpRequest.newBuilder(URI.create(server.url() + "/models/v1/evaluate"))).body());
    JsonNode v2 =
        JSON.readTree(
            send(HttpRequest.newBuilder(URI.create(server.url() + "/models/v2/evaluate"))
                    .POST(HttpRequest.BodyPublishers.noBody()))
                .body());

    assertThat(v1.get("accuracy").asDouble()).isEqualTo(0.955);
    assertThat(v1.get("examples").asInt()).isEqualTo(400);
    assertThat(v1.get("correct").asInt()).isEqualTo(382);
    assertThat(v2.get("accuracy").asDouble()).isEqualTo(0.84);
    assertThat(server.exposition())
        .contains("model_validation_accuracy{version=\"v1\"} 0.955")
        .contains("model_validation_accuracy{version=\"v2\"} 0.84");
  }

  @Test
  void predictsWithTheVersionAsked() throws Exception {
    HttpResponse<String> answer =
        send(
            HttpRequest.newBuilder(URI.create(server.url() + "/models/v1/predict"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"features\":[1.0,0.0,0.0,0.0]}")));
    HttpResponse<String> bad =
        send(
            HttpRequest.newBuilder(URI.create(server.url() + "/models/v1/predict"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"features\":[1.0]}")));
    HttpResponse<String> unknown =
        send(HttpRequest.newBuilder(URI.create(server.url() + "/models/v3/evaluate")));

    JsonNode prediction = JSON.readTree(answer.body());
    assertThat(prediction.get("label").asInt()).isEqualTo(1);
    assertThat(prediction.get("probability").asDouble())
        .isEqualTo(ModelVersion.V1.probability(new double[] {1.0, 0.0, 0.0, 0.0}));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("features");
    assertThat(unknown.statusCode()).isEqualTo(404);
  }

  @Test
  void servesTheDeploymentsTrafficWithTheModelTheirImagesNameAndCountsTheRightAnswers() {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> predictions(server.exposition(), "model-canary", "v2") >= 400);

    String page = server.exposition();
    double v1 = predictions(page, "model", "v1");
    double v1Right = value(page, "model", "v1", "true");
    double v2 = predictions(page, "model-canary", "v2");
    double v2Right = value(page, "model-canary", "v2", "true");
    // both halves see the validation examples in turn, so served accuracy tracks the evaluation
    assertThat(v1Right / v1).isGreaterThan(0.92);
    assertThat(v2Right / v2).isLessThan(0.90);
    assertThat(page)
        .contains("http_requests_total{code=\"200\",deployment=\"model-canary\",namespace=\"ml\"}")
        .contains("model_served_accuracy{deployment=\"model\",namespace=\"ml\",version=\"v1\"}");
  }

  private static double predictions(String page, String deployment, String version) {
    return value(page, deployment, version, "true") + value(page, deployment, version, "false");
  }

  private static double value(String page, String deployment, String version, String correct) {
    Matcher m =
        Pattern.compile(
                "model_predictions_total\\{correct=\""
                    + correct
                    + "\",deployment=\""
                    + deployment
                    + "\",namespace=\"ml\",version=\""
                    + version
                    + "\"\\} (\\S+)")
            .matcher(page);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
