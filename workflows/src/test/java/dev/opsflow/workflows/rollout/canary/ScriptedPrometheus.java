package dev.opsflow.workflows.rollout.canary;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/**
 * A real HTTP server answering the Prometheus HTTP API's instant queries ({@code /api/v1/query},
 * GET or POST) with scripted values. The script gets the version a query measures ({@code canary}
 * when it names the canary Deployment, else {@code stable}) and the canary's desired replicas on
 * the cluster at that moment, so a scenario says "fail while the canary has 5 pods" instead of
 * counting calls; it returns the value, or null for an empty vector (no data).
 */
final class ScriptedPrometheus implements AutoCloseable {
  /** One query as it arrived: which version, and the canary's replicas then. */
  record Query(String version, int canaryReplicas, String promql) {}

  private final HttpServer server;
  private final ShopCluster cluster;
  final List<Query> queries = new CopyOnWriteArrayList<>();
  volatile BiFunction<String, Integer, Double> script = (version, replicas) -> 0.001;

  ScriptedPrometheus(ShopCluster cluster) throws IOException {
    this.cluster = cluster;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/api/v1/query", this::answer);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The canary replica counts seen by the canary's queries, in order, without repeats. */
  List<Integer> canaryReplicasMeasured() {
    List<Integer> seen = new java.util.ArrayList<>();
    for (Query q : queries) {
      if (q.version().equals("canary")
          && (seen.isEmpty() || seen.get(seen.size() - 1) != q.canaryReplicas())) {
        seen.add(q.canaryReplicas());
      }
    }
    return seen;
  }

  private void answer(HttpExchange exchange) throws IOException {
    String form =
        "POST".equals(exchange.getRequestMethod())
            ? new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
            : exchange.getRequestURI().getRawQuery();
    String promql = "";
    for (String pair : form == null ? new String[0] : form.split("&")) {
      if (pair.startsWith("query=")) {
        promql = URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
      }
    }
    String version = promql.contains("\"" + ShopCluster.CANARY + "\"") ? "canary" : "stable";
    int replicas = cluster.replicas(ShopCluster.CANARY);
    queries.add(new Query(version, replicas, promql));
    Double value = script.apply(version, replicas);
    double now = System.currentTimeMillis() / 1000.0;
    String result =
        value == null ? "[]" : "[{\"metric\":{},\"value\":[" + now + ",\"" + value + "\"]}]";
    byte[] body =
        ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":" + result + "}}")
            .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
