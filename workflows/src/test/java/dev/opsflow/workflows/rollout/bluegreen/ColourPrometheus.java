package dev.opsflow.workflows.rollout.bluegreen;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.opsflow.activities.rollout.BlueGreenActivitiesImpl;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/**
 * A real HTTP server answering the Prometheus HTTP API's instant queries with scripted values. The
 * script gets the colour a query measures ({@code preview} when it names the preview Deployment,
 * else {@code active}) and whether the active Service selects the preview at that moment, so a
 * scenario says "fail once the preview takes the traffic" instead of counting calls; it returns the
 * value, or null for an empty vector (no data).
 */
final class ColourPrometheus implements AutoCloseable {
  /** One query as it arrived: which colour, and whether the switch had happened. */
  record Query(String colour, boolean switched) {}

  private final HttpServer server;
  private final ColourCluster cluster;
  final List<Query> queries = new CopyOnWriteArrayList<>();
  volatile BiFunction<String, Boolean, Double> script = (colour, switched) -> 0.001;

  ColourPrometheus(ColourCluster cluster) throws IOException {
    this.cluster = cluster;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/api/v1/query", this::answer);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Whether the preview was measured before and after the switch. */
  boolean measuredPreview(boolean switched) {
    return queries.stream().anyMatch(q -> q.colour().equals("preview") && q.switched() == switched);
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
    String colour = promql.contains("\"" + ColourCluster.PREVIEW + "\"") ? "preview" : "active";
    boolean switched =
        cluster.selector(ColourCluster.STABLE).containsKey(BlueGreenActivitiesImpl.COLOUR);
    queries.add(new Query(colour, switched));
    Double value = script.apply(colour, switched);
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
