package dev.opsflow.starter.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.config.Secret;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationSignals;
import dev.opsflow.contracts.remediation.RemediationStatus;
import dev.opsflow.dev.DevStack;
import dev.opsflow.dev.EmbeddedTemporalService;
import dev.opsflow.starter.StarterServer;
import dev.opsflow.worker.OpsflowMetrics;
import io.temporal.api.filter.v1.WorkflowExecutionFilter;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.RpcRetryOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Drives {@code POST /alerts} of a whole dev stack over real HTTP with the JSON Alertmanager 0.25
 * sends, and checks the answers and the remediation workflows that result. Nothing to heal is
 * reachable here: the remediations only have to exist (once per problem) and receive notices.
 *
 * <p>Kafka lag alerts are used where a workflow must stay open: their route is severity high, so
 * the remediation waits CONFIRM_DELAY_HIGH (60 s) before touching anything.
 */
class AlertWebhookIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FIRING_ENDS_AT = "0001-01-01T00:00:00Z";
  private static final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private static DevStack stack;

  @BeforeAll
  static void start() {
    stack = DevStack.start(OpsflowConfig.defaults(), "127.0.0.1", 0, 0);
    assertThat(stack.usesDevWebhookToken()).isTrue();
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  // ---- 1. authentication ----

  @Test
  void onlyTheConfiguredBearerTokenMayPost() throws Exception {
    String body = group("firing", kafkaLag("firing", "auth-consumer", "a1b2c3d4e5f60001"));
    String workflowId = kafkaWorkflowId("auth-consumer");

    HttpResponse<String> none = post(body, null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).contains("Bearer realm=\"opsflow\""));
    assertThat(json(none).path("error").asText()).contains("missing or wrong credentials");

    HttpResponse<String> wrong = post(body, "Bearer not-the-token");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.headers().firstValue("WWW-Authenticate")).isPresent();
    assertThat(json(wrong).path("error").asText()).contains("missing or wrong credentials");
    assertThat(runs(workflowId)).as("nothing started by a refused request").isZero();

    HttpResponse<String> right = post(body, "Bearer " + DevStack.DEV_WEBHOOK_TOKEN);
    assertThat(right.statusCode()).isEqualTo(202);
    JsonNode answer = json(right);
    assertThat(answer.path("accepted").asInt()).isEqualTo(1);
    assertThat(answer.path("duplicates").asInt()).isZero();
    assertThat(texts(answer.path("workflows"))).containsExactly(workflowId);
    assertThat(runs(workflowId)).isEqualTo(1);
  }

  // ---- 2. structural validation ----

  @Test
  void malformedOrIncompletePayloadsAreRefusedWithTheReason() throws Exception {
    HttpResponse<String> malformed = post("{\"version\": \"4\", \"alerts\": [", token());
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(json(malformed).path("error").asText()).startsWith("malformed JSON");

    ObjectNode oldVersion =
        (ObjectNode)
            JSON.readTree(group("firing", kafkaLag("firing", "v3-consumer", "a1b2c3d4e5f60002")));
    oldVersion.put("version", "3");
    HttpResponse<String> version = post(oldVersion.toString(), token());
    assertThat(version.statusCode()).isEqualTo(400);
    assertThat(json(version).path("error").asText()).contains("'3'").contains("version");

    ObjectNode noFingerprint =
        (ObjectNode)
            JSON.readTree(
                group("firing", kafkaLag("firing", "no-fingerprint", "a1b2c3d4e5f60003")));
    ((ObjectNode) noFingerprint.path("alerts").get(0)).remove("fingerprint");
    HttpResponse<String> fingerprint = post(noFingerprint.toString(), token());
    assertThat(fingerprint.statusCode()).isEqualTo(400);
    assertThat(json(fingerprint).path("error").asText()).contains("alerts[0].fingerprint");

    HttpResponse<String> empty = post(group("firing"), token());
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(json(empty).path("error").asText()).contains("no alerts");

    assertThat(runs(kafkaWorkflowId("v3-consumer"))).isZero();
    assertThat(runs(kafkaWorkflowId("no-fingerprint"))).isZero();
  }

  // ---- 3. routing ----

  @Test
  void anAlertNoRouteKnowsIsUnprocessableAndNamed() throws Exception {
    HttpResponse<String> response =
        post(
            group(
                "firing",
                alert(
                    "firing",
                    Map.of("alertname", "CertificateExpiresSoon", "namespace", "demo"),
                    "b0b0b0b0b0b00001",
                    "2026-11-23T09:00:00Z")),
            token());

    assertThat(response.statusCode()).isEqualTo(422);
    JsonNode answer = json(response);
    assertThat(answer.path("error").asText()).contains("no alert in the payload could be routed");
    assertThat(answer.path("unroutable")).hasSize(1);
    assertThat(answer.at("/unroutable/0/alert").asText()).isEqualTo("CertificateExpiresSoon");
    assertThat(answer.at("/unroutable/0/reason").asText())
        .isEqualTo("no route matches alert 'CertificateExpiresSoon'");
  }

  @Test
  void aMixedGroupDeliversTheRoutableAlertAndReportsTheOther() throws Exception {
    Map<String, String> missingGroup = new TreeMap<>();
    missingGroup.put("alertname", "KafkaConsumerLagHigh");
    missingGroup.put("namespace", "demo");
    missingGroup.put("deployment", "no-group-label");
    HttpResponse<String> response =
        post(
            group(
                "firing",
                kafkaLag("firing", "mixed-consumer", "a1b2c3d4e5f60004"),
                alert("firing", missingGroup, "a1b2c3d4e5f60005", "2026-11-23T09:00:00Z")),
            token());

    assertThat(response.statusCode()).isEqualTo(202);
    JsonNode answer = json(response);
    assertThat(answer.path("accepted").asInt()).isEqualTo(1);
    assertThat(texts(answer.path("workflows"))).containsExactly(kafkaWorkflowId("mixed-consumer"));
    assertThat(answer.path("unroutable")).hasSize(1);
    assertThat(answer.at("/unroutable/0/alert").asText()).isEqualTo("KafkaConsumerLagHigh");
    assertThat(answer.at("/unroutable/0/reason").asText())
        .contains("label 'consumergroup' is missing");
    assertThat(runs(kafkaWorkflowId("mixed-consumer"))).isEqualTo(1);
  }

  @Test
  void labelsThatWouldBeSyntaxAreRefusedNamingTheLabelAndLoggedOnOneLine() throws Exception {
    Map<String, String> traversal = new TreeMap<>();
    traversal.put("alertname", "KafkaConsumerLagHigh");
    traversal.put("namespace", "demo");
    traversal.put("deployment", "../../prod/deployments/orders-consumer");
    traversal.put("consumergroup", "orders");
    Map<String, String> forged = new TreeMap<>(traversal);
    forged.put(
        "deployment", "orders\r\n10:00:00.000 INFO  [main] AlertWebhook - all fine\u001b[0m");

    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    ch.qos.logback.classic.Logger webhookLog =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(AlertWebhook.class);
    lines.start();
    webhookLog.addAppender(lines);
    HttpResponse<String> response;
    try {
      response =
          post(
              group(
                  "firing",
                  alert("firing", traversal, "d0d0d0d0d0d00001", "2026-11-23T09:00:00Z"),
                  alert("firing", forged, "d0d0d0d0d0d00002", "2026-11-23T09:00:00Z")),
              token());
    } finally {
      webhookLog.detachAppender(lines);
    }

    assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
    JsonNode answer = json(response);
    assertThat(answer.path("unroutable")).hasSize(2);
    assertThat(answer.at("/unroutable/0/reason").asText())
        .startsWith(
            "label 'deployment': target.deployment '../../prod/deployments/orders-consumer' is"
                + " not valid: must be a DNS-1123 subdomain");
    assertThat(answer.at("/unroutable/1/reason").asText())
        .startsWith("label 'deployment' 'orders\\r\\n10:00:00.000 INFO")
        .contains("contains control characters");
    assertThat(
            runs("heal-kafka-lag-remediation-demo/../../prod/deployments/orders-consumer/orders"))
        .isZero();

    List<String> logged = lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertThat(logged)
        .hasSize(2)
        .allSatisfy(
            line ->
                assertThat(line)
                    .startsWith("Alert 'KafkaConsumerLagHigh' not routed: label 'deployment'")
                    .doesNotContain("\r", "\n", "\u001b"));
    assertThat(logged.get(1)).contains("\\r\\n10:00:00.000 INFO", "\\u001B[0m");
  }

  // ---- 4. alert storm ----

  @Test
  void aThousandResendsOfOneAlertMakeOneRemediationWithOneNotice() throws Exception {
    String body = group("firing", kafkaLag("firing", "storm-consumer", "a1b2c3d4e5f60006"));
    String workflowId = kafkaWorkflowId("storm-consumer");
    int threads = 8;
    int posts = 1000;

    List<JsonNode> answers = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<HttpResponse<String>>> sent = new ArrayList<>();
      for (int i = 0; i < posts; i++) {
        sent.add(pool.submit(() -> post(body, token())));
      }
      for (Future<HttpResponse<String>> f : sent) {
        HttpResponse<String> response = f.get(30, TimeUnit.SECONDS);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        answers.add(json(response));
      }
    } finally {
      pool.shutdownNow();
    }

    int accepted = answers.stream().mapToInt(a -> a.path("accepted").asInt()).sum();
    int duplicates = answers.stream().mapToInt(a -> a.path("duplicates").asInt()).sum();
    assertThat(accepted + duplicates).isEqualTo(posts);
    // Only requests already in flight when the first delivery finished can miss the dedup cache:
    // at most one per sending thread.
    assertThat(accepted).isBetween(1, threads);
    assertThat(duplicates).isGreaterThanOrEqualTo(posts - threads);
    assertThat(answers)
        .allSatisfy(
            a ->
                assertThat(texts(a.path("workflows")))
                    .isEqualTo(a.path("accepted").asInt() == 1 ? List.of(workflowId) : List.of()));

    assertThat(runs(workflowId)).isEqualTo(1);
    RemediationStatus status = status(workflowId);
    assertThat(status.notices()).isEqualTo(1);
    assertThat(status.procedure()).isEqualTo("KafkaLagRemediation");
    assertThat(status.target()).isEqualTo("demo/storm-consumer/storm-consumer");
  }

  // ---- 5. group resends ----

  @Test
  void aGroupResentWithANewMemberDeliversOnlyTheNewcomer() throws Exception {
    ObjectNode a = kafkaLag("firing", "group-a", "a1b2c3d4e5f60007");
    ObjectNode b = kafkaLag("firing", "group-b", "a1b2c3d4e5f60008");
    ObjectNode c = kafkaLag("firing", "group-c", "a1b2c3d4e5f60009");

    HttpResponse<String> first = post(group("firing", a, b), token());
    assertThat(first.statusCode()).isEqualTo(202);
    JsonNode firstAnswer = json(first);
    assertThat(firstAnswer.path("accepted").asInt()).isEqualTo(2);
    assertThat(firstAnswer.path("duplicates").asInt()).isZero();
    assertThat(texts(firstAnswer.path("workflows")))
        .containsExactly(kafkaWorkflowId("group-a"), kafkaWorkflowId("group-b"));
    assertThat(runs(kafkaWorkflowId("group-c"))).isZero();

    HttpResponse<String> second = post(group("firing", a, b, c), token());
    assertThat(second.statusCode()).isEqualTo(202);
    JsonNode secondAnswer = json(second);
    assertThat(secondAnswer.path("accepted").asInt()).isEqualTo(1);
    assertThat(secondAnswer.path("duplicates").asInt()).isEqualTo(2);
    assertThat(texts(secondAnswer.path("workflows"))).containsExactly(kafkaWorkflowId("group-c"));

    for (String deployment : List.of("group-a", "group-b", "group-c")) {
      String id = kafkaWorkflowId(deployment);
      assertThat(runs(id)).as(id).isEqualTo(1);
      assertThat(status(id).notices()).as(id).isEqualTo(1);
    }
  }

  // ---- 6. and 7. resolved notifications ----

  @Test
  void aResolvedAlertNobodyIsRemediatingStartsNothing() throws Exception {
    String workflowId = kafkaWorkflowId("never-fired");
    HttpResponse<String> response =
        post(group("resolved", kafkaLag("resolved", "never-fired", "a1b2c3d4e5f6000a")), token());

    assertThat(response.statusCode()).isEqualTo(202);
    JsonNode answer = json(response);
    assertThat(answer.path("accepted").asInt()).isEqualTo(1);
    assertThat(answer.path("workflows")).isEmpty();
    assertThat(texts(answer.path("resolvedWithoutRunningRemediation"))).containsExactly(workflowId);
    assertThat(runs(workflowId)).isZero();
  }

  @Test
  void aResolvedAlertStandsDownTheRemediationBeforeItActs() throws Exception {
    String workflowId = kafkaWorkflowId("resolves-consumer");
    HttpResponse<String> fired =
        post(group("firing", kafkaLag("firing", "resolves-consumer", "a1b2c3d4e5f6000b")), token());
    assertThat(fired.statusCode()).isEqualTo(202);
    assertThat(texts(json(fired).path("workflows"))).containsExactly(workflowId);

    HttpResponse<String> resolved =
        post(
            group("resolved", kafkaLag("resolved", "resolves-consumer", "a1b2c3d4e5f6000b")),
            token());
    assertThat(resolved.statusCode()).isEqualTo(202);
    JsonNode answer = json(resolved);
    assertThat(answer.path("accepted").asInt()).isEqualTo(1);
    assertThat(texts(answer.path("workflows"))).containsExactly(workflowId);
    assertThat(answer.path("resolvedWithoutRunningRemediation")).isEmpty();

    // Well inside the 60 s confirmation delay: only the resolved signal can end it this early.
    RemediationOutcome outcome =
        stack
            .client()
            .newUntypedWorkflowStub(workflowId)
            .getResult(20, TimeUnit.SECONDS, RemediationOutcome.class);
    assertThat(outcome.result()).isEqualTo(RemediationStatus.Phase.NOT_NEEDED);
    assertThat(outcome.detail()).isEqualTo("alert resolved before acting");
    assertThat(outcome.actions()).isEmpty();
    assertThat(runs(workflowId)).isEqualTo(1);
  }

  // ---- 8. Temporal down ----

  /**
   * Built by hand rather than with {@link dev.opsflow.worker.TemporalConnection}: with the SDK's
   * default RPC retries (about a minute) the 503 takes a minute to come, so this client gives up
   * after two seconds. What is tested is the starter's answer once the client gives up.
   */
  @Test
  void temporalUnavailableAnswers503SoAlertmanagerRetries() throws Exception {
    String token = "outage-token";
    OpsflowConfig defaults = OpsflowConfig.defaults();
    EmbeddedTemporalService temporal = EmbeddedTemporalService.start("127.0.0.1", 0);
    boolean temporalClosed = false;
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newConnectedServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget(temporal.target())
                .setRpcRetryOptions(
                    RpcRetryOptions.newBuilder()
                        .setExpiration(Duration.ofSeconds(2))
                        .validateBuildWithDefaults())
                .build(),
            Duration.ofSeconds(10));
    WorkflowClient client =
        WorkflowClient.newInstance(
            stubs,
            WorkflowClientOptions.newBuilder()
                .setNamespace(defaults.temporal().namespace())
                .build());
    try (OpsflowMetrics metrics = new OpsflowMetrics();
        StarterServer server =
            StarterServer.start(
                "127.0.0.1",
                0,
                client,
                metrics,
                defaults.withAlerts(defaults.alerts().withBearerToken(Secret.of(token))))) {
      // The frontend goes away while the starter keeps serving.
      temporal.close();
      temporalClosed = true;

      long startedAt = System.nanoTime();
      HttpResponse<String> response =
          send(
              server.url(),
              group("firing", kafkaLag("firing", "outage-consumer", "a1b2c3d4e5f6000c")),
              "Bearer " + token);

      assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
      assertThat(json(response).path("error").asText())
          .isEqualTo("Temporal is unavailable; retry later");
      // Bounded by http.temporalDeadline, well inside Alertmanager's 10 s.
      assertThat(Duration.ofNanos(System.nanoTime() - startedAt))
          .isLessThan(defaults.http().temporalDeadline().plusSeconds(2));
      assertThat(
              metrics
                  .registry()
                  .counter("opsflow_alerts_received", "outcome", "temporal_unavailable")
                  .count())
          .isEqualTo(1.0);
    } finally {
      stubs.shutdownNow();
      if (!temporalClosed) {
        temporal.close();
      }
    }
  }

  // ---- payloads as Alertmanager 0.25 sends them ----

  private static ObjectNode kafkaLag(String status, String deployment, String fingerprint) {
    Map<String, String> labels = new TreeMap<>();
    labels.put("alertname", "KafkaConsumerLagHigh");
    labels.put("namespace", "demo");
    labels.put("deployment", deployment);
    labels.put("consumergroup", deployment);
    labels.put("severity", "warning");
    return alert(status, labels, fingerprint, "2026-11-23T10:00:00.000Z");
  }

  private static String kafkaWorkflowId(String deployment) {
    return "heal-kafka-lag-remediation-demo/" + deployment + "/" + deployment;
  }

  private static ObjectNode alert(
      String status, Map<String, String> labels, String fingerprint, String startsAt) {
    ObjectNode alert = JSON.createObjectNode();
    alert.put("status", status);
    alert.set("labels", JSON.valueToTree(labels));
    alert.set(
        "annotations",
        JSON.valueToTree(
            Map.of(
                "summary",
                labels.get("alertname") + " in " + labels.get("namespace"),
                "runbook_url",
                "https://runbooks.example.com/" + labels.get("alertname"))));
    alert.put("startsAt", startsAt);
    alert.put("endsAt", "resolved".equals(status) ? "2026-11-23T10:07:30.000Z" : FIRING_ENDS_AT);
    alert.put(
        "generatorURL",
        "http://prometheus:9090/graph?g0.expr=" + labels.get("alertname") + "&g0.tab=1");
    alert.put("fingerprint", fingerprint);
    return alert;
  }

  /** A notification for one group: common labels are those every alert shares. */
  private static String group(String status, ObjectNode... alerts) {
    Map<String, String> common = new TreeMap<>();
    if (alerts.length > 0) {
      alerts[0]
          .path("labels")
          .properties()
          .forEach(e -> common.put(e.getKey(), e.getValue().asText()));
      for (ObjectNode a : alerts) {
        common
            .entrySet()
            .removeIf(e -> !e.getValue().equals(a.path("labels").path(e.getKey()).asText(null)));
      }
    }
    String alertName = common.getOrDefault("alertname", "");
    ObjectNode payload = JSON.createObjectNode();
    payload.put("version", "4");
    payload.put("groupKey", "{}:{alertname=\"" + alertName + "\"}");
    payload.put("truncatedAlerts", 0);
    payload.put("status", status);
    payload.put("receiver", "opsflow");
    payload.set("groupLabels", JSON.valueToTree(Map.of("alertname", alertName)));
    payload.set("commonLabels", JSON.valueToTree(common));
    payload.set("commonAnnotations", JSON.createObjectNode());
    payload.put("externalURL", "http://alertmanager:9093");
    ArrayNode list = payload.putArray("alerts");
    for (ObjectNode a : alerts) {
      list.add(a);
    }
    return payload.toString();
  }

  // ---- HTTP and Temporal helpers ----

  private static String token() {
    return "Bearer " + DevStack.DEV_WEBHOOK_TOKEN;
  }

  private static HttpResponse<String> post(String body, String authorization)
      throws IOException, InterruptedException {
    return send(stack.httpUrl(), body, authorization);
  }

  private static HttpResponse<String> send(String baseUrl, String body, String authorization)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + "/alerts"))
            .timeout(Duration.ofSeconds(90))
            .header("Content-Type", "application/json")
            .header("User-Agent", "Alertmanager/0.25.0")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** Runs (open and closed) ever started with this workflow ID. */
  private static int runs(String workflowId) {
    WorkflowServiceGrpc.WorkflowServiceBlockingStub service =
        stack.client().getWorkflowServiceStubs().blockingStub();
    String namespace = stack.client().getOptions().getNamespace();
    WorkflowExecutionFilter filter =
        WorkflowExecutionFilter.newBuilder().setWorkflowId(workflowId).build();
    int open =
        service
            .listOpenWorkflowExecutions(
                ListOpenWorkflowExecutionsRequest.newBuilder()
                    .setNamespace(namespace)
                    .setExecutionFilter(filter)
                    .build())
            .getExecutionsCount();
    int closed =
        service
            .listClosedWorkflowExecutions(
                ListClosedWorkflowExecutionsRequest.newBuilder()
                    .setNamespace(namespace)
                    .setExecutionFilter(filter)
                    .build())
            .getExecutionsCount();
    return open + closed;
  }

  private static RemediationStatus status(String workflowId) {
    WorkflowStub stub = stack.client().newUntypedWorkflowStub(workflowId);
    return stub.query(RemediationSignals.STATUS, RemediationStatus.class);
  }
}
