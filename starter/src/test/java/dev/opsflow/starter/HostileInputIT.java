package dev.opsflow.starter;

import static dev.opsflow.starter.StarterUnderTest.ALERTS_TOKEN;
import static dev.opsflow.starter.StarterUnderTest.JSON;
import static dev.opsflow.starter.StarterUnderTest.OPERATOR_TOKEN;
import static dev.opsflow.starter.StarterUnderTest.VIEWER_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.temporal.testing.TestWorkflowEnvironment;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A generated corpus of hostile requests against every route of the real starter server: broken
 * bodies (malformed, truncated, an unfinished chunk, a bad chunk size), null JSON values, unknown
 * charsets, 10,000-level nesting, oversized bodies and labels, NUL bytes, wrong content types,
 * wrong credentials, forged, stale and replayed Slack signatures, HEAD without credentials. Every
 * answer must be a 4xx with a reason, no workflow may start on Temporal, nothing may be logged as
 * an error or with a stack trace, and the server must answer its probes afterwards.
 */
class HostileInputIT {
  private static final String MAX_BODY = "1Mi";
  private static final int OVERSIZED = 1024 * 1024 + 1;

  private static TestWorkflowEnvironment temporal;
  private static StarterUnderTest starter;
  private static Javalin slackStandIn;
  private static final AtomicInteger slackReplies = new AtomicInteger();
  private static final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @BeforeAll
  static void start() {
    temporal = TestWorkflowEnvironment.newInstance();
    temporal.start();
    starter =
        new StarterUnderTest(
            temporal.getWorkflowClient(), Map.of("OPSFLOW_HTTP_MAX_BODY_SIZE", MAX_BODY));
    slackStandIn =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  cfg.routes.post("/reply", ctx -> slackReplies.incrementAndGet());
                })
            .start("127.0.0.1", 0);
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logged.start();
    root.addAppender(logged);
  }

  @AfterAll
  static void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logged);
    starter.close();
    slackStandIn.stop();
    temporal.close();
  }

  /** A route, the credentials it takes, its media type and a body it would accept. */
  record Route(String method, String path, Map<String, String> auth, String type, byte[] body) {
    boolean hasBody() {
      return body != null;
    }

    String name() {
      return method + " " + path;
    }
  }

  /** One hostile request and what it was. */
  record Attempt(String what, int status, String reason) {}

  private static final String DEEP_ARRAY = "[".repeat(10_000) + "]".repeat(10_000);
  private static final String DEEP_OBJECT = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);

  private static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  private static List<Route> protectedRoutes() {
    String alert =
        StarterUnderTest.group(StarterUnderTest.kafkaLag("hostile", "feed0001")).toString();
    List<Route> routes = new ArrayList<>();
    routes.add(new Route("POST", "/alerts", bearer(ALERTS_TOKEN), "application/json", utf8(alert)));
    routes.add(
        new Route(
            "POST",
            "/api/runbooks/execute",
            bearer(OPERATOR_TOKEN),
            "application/json",
            utf8(
                "{\"runbookId\":\"connectivity-check\",\"context\":{\"systems\":[\"temporal\"]}}")));
    routes.add(
        new Route(
            "POST",
            "/api/executions/no-such-run/terminate",
            bearer(OPERATOR_TOKEN),
            "application/json",
            utf8("{\"reason\":\"test\"}")));
    for (String decision : List.of("approve", "reject")) {
      routes.add(
          new Route(
              "POST",
              "/api/executions/no-such-run/" + decision,
              bearer(OPERATOR_TOKEN),
              "application/json",
              utf8("{\"comment\":\"go\"}")));
    }
    routes.add(new Route("GET", "/api/runbooks?status=active", bearer(VIEWER_TOKEN), null, null));
    routes.add(new Route("GET", "/api/approvals", bearer(VIEWER_TOKEN), null, null));
    routes.add(new Route("GET", "/api/audit", bearer(OPERATOR_TOKEN), null, null));
    routes.add(
        new Route(
            "DELETE", "/api/runbooks?executionId=no-such-run", bearer(OPERATOR_TOKEN), null, null));
    return routes;
  }

  // ---- the corpus ----

  @Test
  void everyHostileRequestIsRefusedWith4xxAndAReasonAndStartsNothing() throws Exception {
    List<Attempt> attempts = new ArrayList<>();
    for (Route route : protectedRoutes()) {
      attempts.addAll(wrongCredentials(route));
      if (route.hasBody()) {
        attempts.addAll(brokenBodies(route, route.auth()));
      }
    }
    attempts.addAll(slack());
    attempts.addAll(alertFields());
    attempts.addAll(openRoutes());

    assertThat(attempts).hasSizeGreaterThan(150);
    assertThat(attempts)
        .allSatisfy(
            a -> {
              assertThat(a.status()).as(a.what() + ": " + a.reason()).isBetween(400, 499);
              assertThat(a.reason()).as(a.what() + " gives a reason").isNotBlank();
            });
    assertThat(starter.runs()).as("workflows started by the corpus").isZero();
    assertThat(slackReplies.get()).as("Slack clicks carried out").isZero();
    assertThat(
            starter
                .metrics
                .registry()
                .find("opsflow_alerts_received")
                .tag("outcome", "firing")
                .counter())
        .isNull();

    // The process is healthy afterwards, and nothing was logged as an error or with a trace.
    assertThat(starter.get("/healthz").statusCode()).isEqualTo(200);
    assertThat(starter.get("/readyz").statusCode()).isEqualTo(200);
    assertThat(logged.list)
        .filteredOn(
            e -> e.getLevel().isGreaterOrEqual(Level.ERROR) || e.getThrowableProxy() != null)
        .as("errors or stack traces logged")
        .isEmpty();
  }

  @Test
  void headOnAProtectedRouteIsRefusedWithoutCredentialsAndProbesStillAnswerIt() throws Exception {
    for (String path : List.of("/api/runbooks?status=active", "/api/approvals", "/api/audit")) {
      HttpResponse<String> head =
          StarterUnderTest.HTTP.send(
              HttpRequest.newBuilder(starter.uri(path))
                  .method("HEAD", HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(head.statusCode()).as("HEAD " + path).isEqualTo(405);
      assertThat(head.headers().firstValue("Allow")).hasValue("GET");
    }
    for (String path : List.of("/healthz", "/readyz")) {
      HttpResponse<String> head =
          StarterUnderTest.HTTP.send(
              HttpRequest.newBuilder(starter.uri(path))
                  .method("HEAD", HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(head.statusCode()).as("HEAD " + path).isEqualTo(200);
    }
  }

  @Test
  void aLabelTooLongForTheDoorIsRefusedNamingTheLabel() throws Exception {
    ObjectNode alert = StarterUnderTest.kafkaLag("long-label", "feed0002");
    ((ObjectNode) alert.path("labels")).put("pod", "p".repeat(512 * 1024));
    HttpResponse<String> answer = starter.postAlerts(StarterUnderTest.group(alert).toString());

    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(answer.body()).path("error").asText())
        .isEqualTo("alerts[0].labels.pod: 524288 characters, at most 1024");

    ObjectNode target = StarterUnderTest.kafkaLag("d".repeat(300), "feed0003");
    HttpResponse<String> targeted = starter.postAlerts(StarterUnderTest.group(target).toString());
    assertThat(targeted.statusCode()).isEqualTo(422);
    assertThat(JSON.readTree(targeted.body()).at("/unroutable/0/reason").asText())
        .contains("is 300 characters; a label used in a target may have at most 253");
    assertThat(starter.runs()).isZero();
  }

  @Test
  void aNullLabelValueIsRefusedNamingTheLabel() throws Exception {
    ObjectNode alert = StarterUnderTest.kafkaLag("null-label", "feed0004");
    ((ObjectNode) alert.path("labels")).putNull("deployment");
    HttpResponse<String> answer = starter.postAlerts(StarterUnderTest.group(alert).toString());

    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(answer.body()).path("error").asText())
        .isEqualTo("alerts[0].labels.deployment: is null; label values are strings");
    assertThat(starter.runs()).isZero();
  }

  @Test
  void aLatin1CharsetIsRefusedNamingTheCharset() throws Exception {
    HttpResponse<String> answer =
        StarterUnderTest.HTTP.send(
            HttpRequest.newBuilder(starter.uri("/alerts"))
                .header("Authorization", "Bearer " + ALERTS_TOKEN)
                .header("Content-Type", "application/json; charset=latin-1")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        StarterUnderTest.group(StarterUnderTest.kafkaLag("latin", "feed0005"))
                            .toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(answer.statusCode()).isEqualTo(415);
    assertThat(JSON.readTree(answer.body()).path("error").asText())
        .isEqualTo("Content-Type charset 'latin-1' is not accepted; send UTF-8");
    assertThat(starter.runs()).isZero();
  }

  // ---- generators ----

  private static List<Attempt> wrongCredentials(Route route) throws Exception {
    List<Attempt> out = new ArrayList<>();
    Map<String, Map<String, String>> wrong = new LinkedHashMap<>();
    wrong.put("no credentials", Map.of());
    wrong.put("a wrong bearer token", Map.of("Authorization", "Bearer wrong-token"));
    wrong.put("a bare scheme", Map.of("Authorization", "Bearer"));
    wrong.put("basic credentials", Map.of("Authorization", "Basic Zm9vOmJhcg=="));
    wrong.put("broken base64", Map.of("Authorization", "Basic ****"));
    wrong.put("a NUL in the token", Map.of("Authorization", "Bearer " + ALERTS_TOKEN + "\u0001"));
    wrong.put("a 6 KiB token", Map.of("Authorization", "Bearer " + "t".repeat(6 * 1024)));
    if (route.path().startsWith("/api/") && route.auth().equals(bearer(OPERATOR_TOKEN))) {
      wrong.put("a viewer's token", bearer(VIEWER_TOKEN));
    }
    if (route.path().equals("/alerts")) {
      wrong.put("an API token", bearer(OPERATOR_TOKEN));
    }
    for (Map.Entry<String, Map<String, String>> e : wrong.entrySet()) {
      Map<String, String> headers = new LinkedHashMap<>(e.getValue());
      if (route.type() != null) {
        headers.put("Content-Type", route.type());
      }
      out.add(raw(route, route.name() + " with " + e.getKey(), headers, route.body()));
    }
    return out;
  }

  /** Bodies broken every way; {@code auth} is right, so it is the body that is refused. */
  private static List<Attempt> brokenBodies(Route route, Map<String, String> auth)
      throws Exception {
    List<Attempt> out = new ArrayList<>();
    Map<String, byte[]> bodies = new LinkedHashMap<>();
    bodies.put("malformed JSON", utf8("{\"version\": \"4\", \"alerts\": ["));
    bodies.put("a JSON null", utf8("null"));
    bodies.put("a JSON array", utf8("[]"));
    bodies.put(
        "null fields",
        utf8(
            "{\"version\":null,\"alerts\":null,\"workflowType\":null,\"reason\":null,\"comment\":{}}"));
    bodies.put("10,000 nested arrays", utf8(DEEP_ARRAY));
    bodies.put("10,000 nested objects", utf8(DEEP_OBJECT));
    bodies.put(
        "10,000 nested objects in a field",
        utf8("{\"context\":" + DEEP_OBJECT + ",\"alerts\":" + DEEP_ARRAY + "}"));
    bodies.put("raw NUL bytes", utf8("{\"version\":\"4\u0000\",\"reason\":\"\u0000\"}"));
    bodies.put(
        "invalid UTF-8", new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'});
    bodies.put("an oversized body", utf8("{\"reason\":\"" + "x".repeat(OVERSIZED) + "\"}"));
    for (Map.Entry<String, byte[]> e : bodies.entrySet()) {
      out.add(
          raw(
              route,
              route.name() + " with " + e.getKey(),
              withType(auth, route.type()),
              e.getValue()));
    }
    for (String type :
        List.of(
            "text/plain",
            "application/xml",
            "multipart/form-data; boundary=x",
            "application/json; charset=latin-1",
            "application/json; charset=nonsense-42")) {
      out.add(raw(route, route.name() + " as " + type, withType(auth, type), route.body()));
    }
    out.add(truncated(route, withType(auth, route.type())));
    out.add(unfinishedChunk(route, withType(auth, route.type())));
    out.add(badChunkSize(route, withType(auth, route.type())));
    return out;
  }

  /** Notifications that parse but carry values no alert has. */
  private static List<Attempt> alertFields() throws Exception {
    List<Attempt> out = new ArrayList<>();
    Map<String, java.util.function.Consumer<ObjectNode>> breaks = new LinkedHashMap<>();
    breaks.put("a null label value", a -> ((ObjectNode) a.path("labels")).putNull("deployment"));
    breaks.put("a null annotation", a -> ((ObjectNode) a.path("annotations")).putNull("summary"));
    breaks.put(
        "a label holding an object", a -> ((ObjectNode) a.path("labels")).putObject("namespace"));
    breaks.put("a NUL in a label", a -> ((ObjectNode) a.path("labels")).put("pod", "a\u0000b"));
    breaks.put(
        "a 512 KiB label", a -> ((ObjectNode) a.path("labels")).put("pod", "p".repeat(512 * 1024)));
    breaks.put(
        "a 512 KiB target label",
        a -> ((ObjectNode) a.path("labels")).put("deployment", "d".repeat(512 * 1024)));
    breaks.put(
        "a 100 KiB annotation",
        a -> ((ObjectNode) a.path("annotations")).put("description", "d".repeat(100 * 1024)));
    breaks.put(
        "a 512 KiB label name",
        a -> ((ObjectNode) a.path("labels")).put("l".repeat(512 * 1024), "v"));
    breaks.put(
        "500 labels",
        a -> {
          for (int i = 0; i < 500; i++) {
            ((ObjectNode) a.path("labels")).put("l" + i, "v");
          }
        });
    breaks.put("a null fingerprint", a -> a.putNull("fingerprint"));
    breaks.put("a numeric status", a -> a.put("status", 1));
    breaks.put("a null alertname", a -> ((ObjectNode) a.path("labels")).putNull("alertname"));
    for (Map.Entry<String, java.util.function.Consumer<ObjectNode>> e : breaks.entrySet()) {
      ObjectNode alert = StarterUnderTest.kafkaLag("fields", "feed0100");
      e.getValue().accept(alert);
      HttpResponse<String> answer = starter.postAlerts(StarterUnderTest.group(alert).toString());
      out.add(
          new Attempt(
              "POST /alerts with " + e.getKey(), answer.statusCode(), reason(answer.body())));
    }
    ObjectNode nullAlert = StarterUnderTest.group();
    nullAlert.withArray("alerts").addNull();
    HttpResponse<String> answer = starter.postAlerts(nullAlert.toString());
    out.add(
        new Attempt("POST /alerts with a null alert", answer.statusCode(), reason(answer.body())));
    return out;
  }

  private static List<Attempt> slack() throws Exception {
    List<Attempt> out = new ArrayList<>();
    Route route =
        new Route(
            "POST", "/slack/interactions", Map.of(), "application/x-www-form-urlencoded", null);
    byte[] modal = form("{\"type\":\"view_submission\",\"user\":{\"id\":\"U1\"}}");

    // Signed bodies that are broken: the signature holds, the body is refused.
    Map<String, byte[]> bodies = new LinkedHashMap<>();
    bodies.put("no payload field", utf8("token=x&team_id=T1"));
    bodies.put("malformed JSON", form("{\"type\":\"block_actions\","));
    bodies.put("a JSON null", form("null"));
    bodies.put(
        "null fields",
        form("{\"type\":\"block_actions\",\"user\":null,\"actions\":null,\"response_url\":null}"));
    bodies.put("10,000 nested arrays", form(DEEP_ARRAY));
    bodies.put(
        "10,000 nested objects",
        form("{\"type\":\"block_actions\",\"message\":" + DEEP_OBJECT + "}"));
    bodies.put("a bad percent escape", utf8("payload=%zz%"));
    bodies.put("raw NUL bytes", utf8("payload=\u0000\u0000"));
    bodies.put("300 actions", form(clicks(300)));
    bodies.put(
        "a plain-http response_url", form(clickPayload(1, "http://slack.example.com/reply")));
    bodies.put("an oversized body", utf8("payload=" + "x".repeat(600 * 1024)));
    for (Map.Entry<String, byte[]> e : bodies.entrySet()) {
      out.add(
          raw(
              route,
              "POST /slack/interactions signed, with " + e.getKey(),
              starter.slackHeaders(e.getValue()),
              e.getValue()));
    }
    for (String type :
        List.of(
            "application/json",
            "text/plain",
            "application/x-www-form-urlencoded; charset=latin-1")) {
      Map<String, String> headers = new LinkedHashMap<>(starter.slackHeaders(modal));
      headers.put("Content-Type", type);
      out.add(raw(route, "POST /slack/interactions as " + type, headers, modal));
    }

    // Signatures that are wrong.
    Map<String, Map<String, String>> forged = new LinkedHashMap<>();
    forged.put("no signature", Map.of("Content-Type", route.type()));
    Map<String, String> wrong = new LinkedHashMap<>(starter.slackHeaders(modal));
    wrong.put("X-Slack-Signature", "v0=" + "0".repeat(64));
    forged.put("a wrong signature", wrong);
    String stale = Long.toString(System.currentTimeMillis() / 1000 - 3600);
    forged.put(
        "a stale timestamp",
        Map.of(
            "X-Slack-Request-Timestamp", stale,
            "X-Slack-Signature", starter.signer.sign(stale, modal),
            "Content-Type", route.type()));
    Map<String, String> notANumber = new LinkedHashMap<>(starter.slackHeaders(modal));
    notANumber.put("X-Slack-Request-Timestamp", "soon");
    forged.put("a timestamp that is no number", notANumber);
    for (Map.Entry<String, Map<String, String>> e : forged.entrySet()) {
      out.add(raw(route, "POST /slack/interactions with " + e.getKey(), e.getValue(), modal));
    }
    byte[] click = form(clickPayload(1, "http://127.0.0.1:" + slackStandIn.port() + "/reply"));
    Map<String, String> signedAlready = starter.slackHeaders(click);
    // Changed after signing: what a man in the middle would send.
    byte[] altered = form(clickPayload(2, "http://127.0.0.1:" + slackStandIn.port() + "/reply"));
    out.add(raw(route, "POST /slack/interactions with an altered body", signedAlready, altered));

    // A replay: the first is Slack's (a modal, nothing to do), the second the same bytes again.
    Map<String, String> once = starter.slackHeaders(modal);
    Attempt first = raw(route, "the original", once, modal);
    assertThat(first.status()).as(first.reason()).isEqualTo(200);
    out.add(raw(route, "POST /slack/interactions replayed", once, modal));

    out.add(
        truncated(
            new Route("POST", "/slack/interactions", Map.of(), route.type(), modal),
            starter.slackHeaders(modal)));
    out.add(
        unfinishedChunk(
            new Route("POST", "/slack/interactions", Map.of(), route.type(), modal),
            starter.slackHeaders(modal)));
    return out;
  }

  private static List<Attempt> openRoutes() throws Exception {
    List<Attempt> out = new ArrayList<>();
    for (String path : List.of("/healthz", "/readyz", "/metrics", "/")) {
      for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
        out.add(
            raw(
                new Route(method, path, Map.of(), null, null),
                method + " " + path + " with a NUL body",
                Map.of("Content-Type", "application/json"),
                utf8("\u0000" + DEEP_ARRAY)));
      }
    }
    out.add(
        raw(
            new Route("GET", "/no-such-route", Map.of(), null, null),
            "an unknown route",
            Map.of(),
            new byte[0]));
    return out;
  }

  // ---- requests ----

  private static Attempt raw(Route route, String what, Map<String, String> headers, byte[] body)
      throws Exception {
    byte[] content = body == null ? new byte[0] : body;
    StringBuilder head = new StringBuilder(route.method() + " " + route.path() + " HTTP/1.1\r\n");
    head.append("Host: 127.0.0.1\r\nConnection: close\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    if (body != null || route.method().equals("POST")) {
      head.append("Content-Length: ").append(content.length).append("\r\n");
    }
    head.append("\r\n");
    StarterUnderTest.Raw answer = starter.raw(head.toString(), content);
    return new Attempt(what, answer.status(), reason(answer.body()));
  }

  /** Content-Length promises more than is sent, then the client stops sending. */
  private static Attempt truncated(Route route, Map<String, String> headers) throws Exception {
    byte[] sent = java.util.Arrays.copyOf(route.body(), route.body().length / 2);
    StringBuilder head =
        new StringBuilder("POST " + route.path() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("Content-Length: ").append(route.body().length).append("\r\n\r\n");
    StarterUnderTest.Raw answer = starter.raw(head.toString(), sent);
    return new Attempt(
        route.name() + " with a truncated body", answer.status(), reason(answer.body()));
  }

  /** A chunked body whose chunk never ends and whose last chunk never comes. */
  private static Attempt unfinishedChunk(Route route, Map<String, String> headers)
      throws Exception {
    StringBuilder head =
        new StringBuilder("POST " + route.path() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("Transfer-Encoding: chunked\r\n\r\n");
    byte[] chunk =
        utf8(
            Integer.toHexString(route.body().length)
                + "\r\n"
                + new String(route.body(), StandardCharsets.UTF_8)
                    .substring(0, route.body().length / 2));
    StarterUnderTest.Raw answer = starter.raw(head.toString(), chunk);
    return new Attempt(
        route.name() + " with an unfinished chunk", answer.status(), reason(answer.body()));
  }

  private static Attempt badChunkSize(Route route, Map<String, String> headers) throws Exception {
    StringBuilder head =
        new StringBuilder("POST " + route.path() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("Transfer-Encoding: chunked\r\n\r\n");
    StarterUnderTest.Raw answer = starter.raw(head.toString(), utf8("zz\r\n{}\r\n0\r\n\r\n"));
    return new Attempt(
        route.name() + " with a bad chunk size", answer.status(), reason(answer.body()));
  }

  // ---- helpers ----

  private static Map<String, String> withType(Map<String, String> auth, String type) {
    Map<String, String> headers = new LinkedHashMap<>(auth);
    if (type != null) {
      headers.put("Content-Type", type);
    }
    return headers;
  }

  private static String clickPayload(int actions, String responseUrl) {
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < actions; i++) {
      list.append(i == 0 ? "" : ",")
          .append("{\"action_id\":\"approve\",\"value\":\"no-such-run-")
          .append(i)
          .append("\"}");
    }
    return "{\"type\":\"block_actions\",\"user\":{\"username\":\"mallory\"},\"response_url\":\""
        + responseUrl
        + "\",\"actions\":["
        + list
        + "]}";
  }

  private static String clicks(int n) {
    return clickPayload(n, "http://127.0.0.1:" + slackStandIn.port() + "/reply");
  }

  private static byte[] form(String payload) {
    return utf8("payload=" + URLEncoder.encode(payload, StandardCharsets.UTF_8));
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The "error" of a JSON answer, or the whole body when it is not JSON. */
  private static String reason(String body) {
    try {
      JsonNode json = JSON.readTree(body);
      if (json != null && json.hasNonNull("error")) {
        return json.path("error").asText();
      }
    } catch (Exception notJson) {
      // fall through
    }
    return body == null ? "" : body.trim();
  }
}
