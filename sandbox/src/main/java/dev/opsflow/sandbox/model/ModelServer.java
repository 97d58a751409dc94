package dev.opsflow.sandbox.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.opsflow.sandbox.LoopbackHttp;
import dev.opsflow.sandbox.traffic.LoadGenerator;
import dev.opsflow.sandbox.traffic.RequestMetrics;
import dev.opsflow.sandbox.traffic.ServiceTraffic;
import dev.opsflow.sandbox.traffic.TrafficSplit;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sandbox's model server: two versions of a small logistic regression ({@link ModelVersion}
 * {@code v1}, good, and {@code v2}, worse) making real predictions, evaluated on the checked-in
 * {@link ValidationSet}. It serves as the Deployments behind its Service: each Deployment runs the
 * version its image's tag names ({@code registry.example/model-server:v2} runs {@code v2}; a tag
 * naming no version answers every prediction with 503, a failed deployment). Its own users send
 * {@value #DEFAULT_REQUESTS_PER_SECOND} predictions a second, split between the Deployments as the
 * cluster routes them (ready replicas of {@code model} and {@code model-canary}, or an HTTPRoute
 * named {@code model}'s weights; see {@link ServiceTraffic}), each with a validation example whose
 * label is known, so the served accuracy is measured as well.
 *
 * <p>Endpoints:
 *
 * <ul>
 *   <li>{@code GET /models}: the versions;
 *   <li>{@code GET|POST /models/<version>/evaluate}: accuracy on the validation set, {@code
 *       {"version":"v1","examples":400,"correct":382,"accuracy":0.955}} (what {@code
 *       validate_model} compares with {@code acceptance_threshold});
 *   <li>{@code POST /models/<version>/predict} with {@code {"features":[x1,x2,x3,x4]}}: {@code
 *       {"version":"v1","probability":0.93,"label":1}};
 *   <li>{@code POST /<namespace>/<deployment>/predict}: a prediction as that Deployment serves it
 *       (the users' requests; {@code "label"} in the body, when known, counts it right or wrong);
 *   <li>{@code GET /split}, {@code GET /metrics}.
 * </ul>
 *
 * <p>Metrics, by {@code namespace}, {@code deployment} and model {@code version}: {@code
 * http_requests_total} and {@code http_request_duration_seconds} (so the built-in error-rate and
 * latency checks measure it unchanged), {@value #PREDICTIONS} by {@code correct} ("true"/"false";
 * see {@link #ACCURACY_QUERY}), {@value #SERVED_ACCURACY} over the last {@value #WINDOW} labelled
 * predictions, and {@value #VALIDATION_ACCURACY} by version after each evaluation.
 */
public final class ModelServer implements AutoCloseable {
  /** The Service (and stable Deployment) the sandbox seeds for it. */
  public static final String SERVICE = "model";

  public static final int DEFAULT_REQUESTS_PER_SECOND = 20;

  /** Must equal {@code ModelChecks.PREDICTIONS} (the sandbox does not depend on the contracts). */
  public static final String PREDICTIONS = "model_predictions_total";

  public static final String SERVED_ACCURACY = "model_served_accuracy";
  public static final String VALIDATION_ACCURACY = "model_validation_accuracy";

  /** The labelled predictions {@value #SERVED_ACCURACY} is computed over. */
  public static final int WINDOW = 200;

  /**
   * A PromQL template (placeholders as the rollout analysis has them) for a version's served
   * accuracy over the last minute; no predictions is {@code NaN}, so inconclusive. Must equal
   * {@code ModelChecks.ACCURACY_QUERY}, the one the rollouts measure (SandboxMetricNamesTest keeps
   * them equal).
   */
  public static final String ACCURACY_QUERY =
      "sum(rate("
          + PREDICTIONS
          + "{namespace=\"{{namespace}}\",deployment=\"{{canary}}\",correct=\"true\"}[1m]))"
          + " / sum(rate("
          + PREDICTIONS
          + "{namespace=\"{{namespace}}\",deployment=\"{{canary}}\"}[1m]))";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ValidationSet validation = ValidationSet.load();
  private final ServiceTraffic traffic;
  private final RequestMetrics metrics = new RequestMetrics();
  private final Counter predictions =
      Counter.builder()
          .name(PREDICTIONS)
          .help("Labelled predictions served, by whether the predicted label was right.")
          .labelNames("namespace", "deployment", "version", "correct")
          .withoutExemplars()
          .register(metrics.registry());
  private final Gauge servedAccuracy =
      Gauge.builder()
          .name(SERVED_ACCURACY)
          .help("Share of the last " + WINDOW + " labelled predictions that were right.")
          .labelNames("namespace", "deployment", "version")
          .withoutExemplars()
          .register(metrics.registry());
  private final Gauge validationAccuracy =
      Gauge.builder()
          .name(VALIDATION_ACCURACY)
          .help("Accuracy on the validation set at the last evaluation.")
          .labelNames("version")
          .withoutExemplars()
          .register(metrics.registry());
  private final Map<String, ArrayDeque<Boolean>> recent = new HashMap<>();
  private final Random latency = new Random(92L);
  private final AtomicInteger nextExample = new AtomicInteger();
  private final HttpServer server;
  private final LoadGenerator users;

  private ModelServer(KubernetesClient client, String namespace, String service, int perSecond) {
    this.traffic = new ServiceTraffic(client, namespace, service);
    this.server = LoopbackHttp.create("sandbox-model-server", 8);
    server.createContext("/metrics", metrics.handler());
    server.createContext("/split", this::split);
    server.createContext("/models", this::models);
    server.createContext("/", this::serve);
    server.start();
    String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/" + namespace + "/";
    users =
        LoadGenerator.start(
            "model-" + service,
            traffic,
            perSecond,
            deployment -> {
              ValidationSet.Example e = nextExample();
              return HttpRequest.newBuilder(URI.create(base + deployment + "/predict"))
                  .timeout(Duration.ofSeconds(5))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body(e)))
                  .build();
            });
  }

  /** Starts the server and its users for the Service {@code namespace/service}. */
  public static ModelServer start(
      KubernetesClient client, String namespace, String service, int requestsPerSecond) {
    return new ModelServer(client, namespace, service, requestsPerSecond);
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** {@code host:port}, as a Prometheus scrape target. */
  public String scrapeTarget() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  public String namespace() {
    return traffic.namespace();
  }

  public String service() {
    return traffic.service();
  }

  /** The split the users follow now. */
  public TrafficSplit split() {
    return users.split();
  }

  /** The metrics page as a scrape would read it. */
  public String exposition() {
    return metrics.exposition();
  }

  /** The version's accuracy on the validation set (also what {@code /evaluate} answers). */
  public ModelVersion.Evaluation evaluate(ModelVersion version) {
    ModelVersion.Evaluation result = version.evaluate(validation);
    validationAccuracy.labelValues(version.name()).set(result.accuracy());
    return result;
  }

  private ValidationSet.Example nextExample() {
    List<ValidationSet.Example> all = validation.examples();
    return all.get(Math.floorMod(nextExample.getAndIncrement(), all.size()));
  }

  private static String body(ValidationSet.Example e) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("features", e.features());
    body.put("label", e.label());
    try {
      return JSON.writeValueAsString(body);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  /** {@code /models}, {@code /models/<version>/evaluate}, {@code /models/<version>/predict}. */
  private void models(HttpExchange exchange) throws IOException {
    String[] path = exchange.getRequestURI().getPath().split("/");
    if (path.length == 2) {
      respondJson(
          exchange,
          200,
          Map.of("versions", ModelVersion.ALL.stream().map(ModelVersion::name).toList()));
      return;
    }
    Optional<ModelVersion> version = ModelVersion.named(path[2]);
    if (version.isEmpty() || path.length != 4) {
      respondJson(
          exchange,
          404,
          Map.of("error", "no model version '" + path[2] + "'; known: v1, v2 (GET /models)"));
      return;
    }
    switch (path[3]) {
      case "evaluate" -> {
        ModelVersion.Evaluation result = evaluate(version.get());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", result.version());
        body.put("examples", result.examples());
        body.put("correct", result.correct());
        body.put("accuracy", result.accuracy());
        respondJson(exchange, 200, body);
      }
      case "predict" -> {
        if (!"POST".equals(exchange.getRequestMethod())) {
          respondJson(exchange, 405, Map.of("error", "predict takes a POST"));
          return;
        }
        Optional<double[]> features = features(exchange);
        if (features.isEmpty()) {
          respondJson(exchange, 400, Map.of("error", "features: 4 numbers required"));
          return;
        }
        respondJson(exchange, 200, prediction(version.get(), features.get()));
      }
      default -> respondJson(exchange, 404, Map.of("error", "try evaluate or predict"));
    }
  }

  /** {@code POST /<namespace>/<deployment>/predict}: the users' traffic. */
  private void serve(HttpExchange exchange) throws IOException {
    String[] path = exchange.getRequestURI().getPath().split("/");
    if (path.length != 4 || !path[1].equals(traffic.namespace()) || !path[3].equals("predict")) {
      respondJson(exchange, 404, Map.of("error", "try /models, /split or /metrics"));
      return;
    }
    String deployment = path[2];
    Optional<TrafficSplit.Version> serving = users.split().version(deployment);
    if (serving.isEmpty()) {
      respondJson(
          exchange,
          404,
          Map.of("error", "no Deployment " + deployment + " behind " + traffic.service()));
      return;
    }
    long start = System.nanoTime();
    String tag = tag(serving.get().image());
    Optional<ModelVersion> version = ModelVersion.named(tag);
    JsonNode request = read(exchange);
    Optional<double[]> features = features(request);
    if (serving.get().readyReplicas() == 0) {
      respondJson(exchange, 503, Map.of("error", "no ready replica of " + deployment));
    } else if (version.isEmpty()) {
      respondJson(exchange, 503, Map.of("error", "model '" + tag + "' not found in the image"));
    } else if (features.isEmpty()) {
      respondJson(exchange, 400, Map.of("error", "features: 4 numbers required"));
    } else {
      ModelVersion v = version.get();
      sleep(
          v.minLatencySeconds() + nextLatency() * (v.maxLatencySeconds() - v.minLatencySeconds()));
      Map<String, Object> answer = prediction(v, features.get());
      if (request.has("label")) {
        count(deployment, v, (int) answer.get("label") == request.get("label").asInt());
      }
      respondJson(exchange, 200, answer);
    }
    metrics.record(
        traffic.namespace(),
        deployment,
        exchange.getResponseCode(),
        (System.nanoTime() - start) / 1e9);
  }

  private synchronized double nextLatency() {
    return latency.nextDouble();
  }

  private void count(String deployment, ModelVersion version, boolean correct) {
    predictions
        .labelValues(traffic.namespace(), deployment, version.name(), Boolean.toString(correct))
        .inc();
    double accuracy;
    synchronized (recent) {
      ArrayDeque<Boolean> window =
          recent.computeIfAbsent(deployment + "/" + version.name(), k -> new ArrayDeque<>());
      window.addLast(correct);
      if (window.size() > WINDOW) {
        window.removeFirst();
      }
      accuracy = window.stream().filter(b -> b).count() / (double) window.size();
    }
    servedAccuracy.labelValues(traffic.namespace(), deployment, version.name()).set(accuracy);
  }

  private static Map<String, Object> prediction(ModelVersion version, double[] features) {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("version", version.name());
    answer.put("probability", version.probability(features));
    answer.put("label", version.predict(features));
    return answer;
  }

  private static JsonNode read(HttpExchange exchange) {
    try {
      return JSON.readTree(exchange.getRequestBody());
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  private static Optional<double[]> features(HttpExchange exchange) {
    return features(read(exchange));
  }

  private static Optional<double[]> features(JsonNode request) {
    JsonNode list = request == null ? null : request.get("features");
    if (list == null || !list.isArray() || list.size() != 4) {
      return Optional.empty();
    }
    double[] features = new double[4];
    for (int i = 0; i < 4; i++) {
      if (!list.get(i).isNumber()) {
        return Optional.empty();
      }
      features[i] = list.get(i).asDouble();
    }
    return Optional.of(features);
  }

  /** The image's tag, the model version it runs: after the last ':' following the last '/'. */
  static String tag(String image) {
    String last = image == null ? "" : image.substring(image.lastIndexOf('/') + 1);
    int colon = last.lastIndexOf(':');
    return colon < 0 ? "latest" : last.substring(colon + 1);
  }

  private void split(HttpExchange exchange) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("namespace", traffic.namespace());
    body.put("service", traffic.service());
    body.put("unserved", users.split().unserved());
    body.put(
        "versions",
        users.split().shares().stream()
            .map(
                s -> {
                  Map<String, Object> version = new LinkedHashMap<>();
                  version.put("deployment", s.version().deployment());
                  version.put("image", s.version().image());
                  version.put("model", tag(s.version().image()));
                  version.put("readyReplicas", s.version().readyReplicas());
                  version.put("share", s.share());
                  return version;
                })
            .toList());
    body.put("requestsSent", users.sent());
    respondJson(exchange, 200, body);
  }

  private static void sleep(double seconds) {
    try {
      Thread.sleep(Math.round(seconds * 1000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void respondJson(HttpExchange exchange, int code, Object body) throws IOException {
    byte[] bytes =
        (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body) + "\n")
            .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    users.close();
    LoopbackHttp.stop(server);
  }
}
