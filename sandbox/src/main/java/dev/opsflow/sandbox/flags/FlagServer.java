package dev.opsflow.sandbox.flags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.opsflow.sandbox.LoopbackHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;

/**
 * A feature-flag service speaking opsflow's flag protocol (README: Traffic routers), on 127.0.0.1:
 * {@code GET /flags/<flag>} answers {@code {"percentage": n}} (404 for an unknown flag), {@code PUT
 * /flags/<flag>} with {@code {"percentage": n}} sets it (400 for anything but a whole number
 * 0-100); both need {@code Authorization: Bearer <token>} (401 without, 403 with another). Every
 * percentage written is kept, in order, so a test reads the rollout back.
 */
public final class FlagServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PATH = Pattern.compile("/flags/([A-Za-z0-9][A-Za-z0-9._-]{0,127})");

  private final String token;
  private final HttpServer server;
  private final Map<String, Integer> flags = new ConcurrentHashMap<>();
  private final Map<String, List<Integer>> writes = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();

  private FlagServer(String token) {
    this.token = token;
    server = LoopbackHttp.create("sandbox-flags", 2);
    server.createContext("/flags/", this::handle);
    server.start();
  }

  /** Starts a flag service that answers only requests bearing {@code token}. */
  public static FlagServer start(String token) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("token: a flag service of the sandbox needs one");
    }
    return new FlagServer(token);
  }

  /** The base URL (the {@code featureFlags.services} entry), e.g. {@code http://127.0.0.1:4123}. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Creates (or sets) a flag, as its owner would; not recorded as a write. */
  public FlagServer define(String flag, int percentage) {
    flags.put(flag, percentage);
    writes.putIfAbsent(flag, new CopyOnWriteArrayList<>());
    return this;
  }

  /** The flag's percentage now, or null when there is no such flag. */
  public Integer percentage(String flag) {
    return flags.get(flag);
  }

  /** Reads the percentage of {@code flag} (0 while it does not exist), for an application. */
  public IntSupplier reader(String flag) {
    return () -> flags.getOrDefault(flag, 0);
  }

  /** Every percentage PUT on {@code flag}, in order. */
  public List<Integer> writes(String flag) {
    return new ArrayList<>(writes.getOrDefault(flag, List.of()));
  }

  /** Every request, as {@code METHOD /flags/<flag> status}. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      int status = answer(exchange);
      requests.add(
          exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " " + status);
    }
  }

  private int answer(HttpExchange exchange) throws IOException {
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    if (auth == null || !auth.startsWith("Bearer ")) {
      return reply(exchange, 401, "{\"error\":\"a bearer token is required\"}");
    }
    if (!MessageDigest.isEqual(
        auth.substring(7).getBytes(StandardCharsets.UTF_8),
        token.getBytes(StandardCharsets.UTF_8))) {
      return reply(exchange, 403, "{\"error\":\"this token may not change flags\"}");
    }
    var m = PATH.matcher(exchange.getRequestURI().getPath());
    if (!m.matches()) {
      return reply(exchange, 404, "{\"error\":\"no such flag\"}");
    }
    String flag = m.group(1);
    switch (exchange.getRequestMethod()) {
      case "GET" -> {
        Integer p = flags.get(flag);
        return p == null
            ? reply(exchange, 404, "{\"error\":\"no flag " + flag + "\"}")
            : reply(exchange, 200, "{\"flag\":\"" + flag + "\",\"percentage\":" + p + "}");
      }
      case "PUT" -> {
        if (!flags.containsKey(flag)) {
          return reply(exchange, 404, "{\"error\":\"no flag " + flag + "\"}");
        }
        JsonNode body;
        try {
          body = JSON.readTree(exchange.getRequestBody().readAllBytes());
        } catch (IOException e) {
          return reply(exchange, 400, "{\"error\":\"the body must be JSON\"}");
        }
        JsonNode p = body == null ? null : body.path("percentage");
        if (p == null || !p.isIntegralNumber() || p.asInt() < 0 || p.asInt() > 100) {
          return reply(exchange, 400, "{\"error\":\"percentage: a whole number 0-100\"}");
        }
        flags.put(flag, p.asInt());
        writes.computeIfAbsent(flag, f -> new CopyOnWriteArrayList<>()).add(p.asInt());
        return reply(exchange, 204, null);
      }
      default -> {
        return reply(exchange, 405, "{\"error\":\"GET or PUT\"}");
      }
    }
  }

  private static int reply(HttpExchange exchange, int status, String json) throws IOException {
    if (json == null) {
      exchange.sendResponseHeaders(status, -1);
      return status;
    }
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
    return status;
  }

  @Override
  public void close() {
    LoopbackHttp.stop(server);
  }
}
