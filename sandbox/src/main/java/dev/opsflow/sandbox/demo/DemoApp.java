package dev.opsflow.sandbox.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.opsflow.sandbox.LoopbackHttp;
import dev.opsflow.sandbox.traffic.LoadGenerator;
import dev.opsflow.sandbox.traffic.RequestMetrics;
import dev.opsflow.sandbox.traffic.ServiceTraffic;
import dev.opsflow.sandbox.traffic.TrafficSplit;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The application behind a sandbox Service, played for real: an HTTP server (on 127.0.0.1) that
 * answers as whichever Deployment a request is routed to, and a {@link LoadGenerator} of users
 * sending it a steady stream of requests split as the cluster would split them (ready replicas of
 * the stable Deployment and of {@code <name>-canary} behind the same Service, or an HTTPRoute's
 * weights; see {@link ServiceTraffic}). Each version answers as its image says ({@link
 * ImageBehaviour}: a tag containing {@code bad} gives ~10% 500s and slow answers). Its {@code
 * /metrics} carry {@code http_requests_total} and {@code http_request_duration_seconds} by {@code
 * namespace} and {@code deployment}, so the built-in rollout checks measure it unchanged.
 *
 * <p>Endpoints: {@code GET /<namespace>/<deployment>/...} (a request as that Deployment serves it;
 * 503 when it has no ready replica, 404 when the Service has no such Deployment), {@code GET
 * /split} (the split the users follow, JSON), {@code GET /metrics}.
 */
public final class DemoApp implements AutoCloseable {
  /** The Service (and stable Deployment) the sandbox seeds for it. */
  public static final String SERVICE = "web";

  /** Users' requests per second when not told otherwise. */
  public static final int DEFAULT_REQUESTS_PER_SECOND = 40;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServiceTraffic traffic;
  private final RequestMetrics metrics = new RequestMetrics();
  private final RequestOutcomes outcomes = new RequestOutcomes(14L);
  private final HttpServer server;
  private final LoadGenerator users;

  private DemoApp(KubernetesClient client, String namespace, String service, int perSecond) {
    this.traffic = new ServiceTraffic(client, namespace, service);
    // Slow versions hold a thread per request: enough for every request of a second in flight.
    this.server = LoopbackHttp.create("sandbox-demo-app", Math.max(8, perSecond));
    server.createContext("/metrics", metrics.handler());
    server.createContext("/split", this::split);
    server.createContext("/", this::serve);
    server.start();
    String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/" + namespace + "/";
    users =
        LoadGenerator.start(
            "demo-" + service,
            traffic,
            perSecond,
            deployment ->
                HttpRequest.newBuilder(URI.create(base + deployment + "/checkout"))
                    .timeout(Duration.ofSeconds(5))
                    .build());
  }

  /** Starts the app and its users for the Service {@code namespace/service}. */
  public static DemoApp start(
      KubernetesClient client, String namespace, String service, int requestsPerSecond) {
    return new DemoApp(client, namespace, service, requestsPerSecond);
  }

  /** The base URL, e.g. {@code http://127.0.0.1:41234}. */
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

  private void serve(HttpExchange exchange) throws IOException {
    // /<namespace>/<deployment>/...
    String[] path = exchange.getRequestURI().getPath().split("/");
    if (path.length < 3 || !path[1].equals(traffic.namespace())) {
      respond(exchange, 404, "no such Service; try /split or /metrics\n");
      return;
    }
    String deployment = path[2];
    Optional<TrafficSplit.Version> version = users.split().version(deployment);
    if (version.isEmpty()) {
      respond(exchange, 404, "no Deployment " + deployment + " behind " + traffic.service() + "\n");
      return;
    }
    long start = System.nanoTime();
    if (version.get().readyReplicas() == 0) {
      respond(exchange, 503, "no ready replica of " + deployment + "\n");
    } else {
      RequestOutcomes.Outcome outcome = outcomes.next(deployment, version.get().image());
      sleep(outcome.latencySeconds());
      respond(exchange, outcome.code(), outcome.code() == 200 ? "ok\n" : "internal error\n");
    }
    metrics.record(
        traffic.namespace(),
        deployment,
        exchange.getResponseCode(),
        (System.nanoTime() - start) / 1e9);
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
                  version.put("behaviour", ImageBehaviour.of(s.version().image()).name());
                  version.put("readyReplicas", s.version().readyReplicas());
                  version.put("share", s.share());
                  return version;
                })
            .toList());
    body.put("requestsSent", users.sent());
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    respond(exchange, 200, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body) + "\n");
  }

  private static void sleep(double seconds) {
    try {
      Thread.sleep(Math.round(seconds * 1000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void respond(HttpExchange exchange, int code, String text) throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(code, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    users.close();
    LoopbackHttp.stop(server);
  }
}
