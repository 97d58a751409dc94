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
 * {@code canary} when it names {@code <deployment>-canary}, else {@code active}) and whether the
 * active Service selects the preview at that moment, so a scenario says "fail once the preview
 * takes the traffic" instead of counting calls; it returns the value, or null for an empty vector
 * (no data). {@link #byQuery} also sees the query, for scenarios that script metrics apart.
 */
public final class ColourPrometheus implements AutoCloseable {
  /** One query as it arrived: which colour, whether the switch had happened, the PromQL. */
  public record Query(String colour, boolean switched, String promql) {}

  private final HttpServer server;
  private final ColourCluster cluster;
  public final List<Query> queries = new CopyOnWriteArrayList<>();
  volatile BiFunction<String, Boolean, Double> script = (colour, switched) -> 0.001;

  /** The answer to a query; by default {@link #script}'s. */
  public volatile java.util.function.Function<Query, Double> byQuery =
      q -> script.apply(q.colour(), q.switched());

  public ColourPrometheus(ColourCluster cluster) throws IOException {
    this.cluster = cluster;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/api/v1/query", this::answer);
    server.start();
  }

  public String url() {
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
    String colour =
        promql.contains("\"" + ColourCluster.PREVIEW + "\"")
            ? "preview"
            : promql.contains("\"" + ColourCluster.STABLE + "-canary\"") ? "canary" : "active";
    boolean switched =
        cluster.selector(ColourCluster.STABLE).containsKey(BlueGreenActivitiesImpl.COLOUR);
    Query query = new Query(colour, switched, promql);
    queries.add(query);
    Double value = byQuery.apply(query);
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
