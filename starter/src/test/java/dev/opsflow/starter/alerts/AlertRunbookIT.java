package dev.opsflow.starter.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.activities.dispatch.RemediationDispatcher;
import dev.opsflow.activities.runbook.RunbookFolder;
import dev.opsflow.config.AlertRoute;
import dev.opsflow.config.ConfigException;
import dev.opsflow.config.ConfigLoader;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.config.Secret;
import dev.opsflow.contracts.runbook.RunbookRequest;
import dev.opsflow.contracts.runbook.RunbookWorkflow;
import dev.opsflow.starter.StarterServer;
import dev.opsflow.starter.http.RequestBody;
import dev.opsflow.starter.http.TemporalDeadline;
import dev.opsflow.workflows.WorkflowCatalog;
import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.filter.v1.WorkflowExecutionFilter;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /alerts} with Alertmanager's JSON for an alert whose route names a runbook: the
 * shipped {@code high-error-rate} runbook starts through {@link
 * dev.opsflow.starter.api.RunbookDoor}, its context filled from the alert; a resent group starts
 * nothing, another alert of the same problem is answered with the running run, a resolved alert
 * starts nothing. No worker runs runbooks here, so a run stays open, which is what "while it runs"
 * needs; the input is read back from the run's history as the worker would read it.
 */
class AlertRunbookIT {
  private static final String QUEUE = "alert-runbook-it";
  private static final String TOKEN = "webhook-token-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** The route the README shows under "Routing alerts to runbooks". */
  private static final AlertRoute ROUTE =
      AlertRoute.toRunbook(
          "HighErrorRate",
          Map.of(),
          "high-error-rate",
          "",
          ordered(
              "service", "{{service}}",
              "namespace", "{{namespace}}",
              "replicas", "{{replicas}}",
              "errorThreshold", "{{error_threshold?}}",
              "summary", "{{annotations.summary?}}"));

  private static TestWorkflowEnvironment env;
  private static WorkflowClient client;
  private static AlertWebhook webhook;
  private static Javalin server;
  private static final List<String> started = new ArrayList<>();

  private static Map<String, String> ordered(String... keyValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    return map;
  }

  @BeforeAll
  static void start() {
    env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    env.start();
    client = env.getWorkflowClient();
    RunbookFolder folder =
        RunbookFolder.load(
            new OpsflowConfig.Runbooks(Path.of("..", "runbooks").toString(), false, false),
            RunbookFolder.builtInIds(WorkflowCatalog.typeNames()));
    OpsflowConfig.Http limits = OpsflowConfig.defaults().http();
    webhook =
        new AlertWebhook(
            new WebhookAuth(
                new OpsflowConfig.Alerts(Secret.of(TOKEN), "", Secret.empty(), List.of(ROUTE))),
            new AlertRouter(List.of(ROUTE), WorkflowCatalog.remediationTypeNames(), folder),
            new RemediationDispatcher(client, QUEUE),
            60_000,
            new SimpleMeterRegistry(),
            new RequestBody(limits.maxBodyBytes(), limits.bodyTimeout(), 4),
            new TemporalDeadline(Duration.ofSeconds(10)),
            limits.maxAlerts(),
            limits.noticeWindow(),
            new FailoverTrigger(client, QUEUE, Set.of()),
            new RunbookTrigger(client, QUEUE));
    server =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  cfg.routes.post("/alerts", webhook::handle);
                })
            .start("127.0.0.1", 0);
  }

  @AfterAll
  static void stop() {
    for (String workflowId : started) {
      try {
        client.newUntypedWorkflowStub(workflowId).terminate("test done");
      } catch (RuntimeException alreadyClosed) {
        // terminated by its test already
      }
    }
    server.stop();
    webhook.close();
    env.close();
  }

  private static Map<String, Object> alert(
      String status, String service, String pod, String fingerprint) {
    return Map.of(
        "status",
        status,
        "labels",
        Map.of(
            "alertname", "HighErrorRate",
            "service", service,
            "namespace", "demo",
            "pod", pod,
            "replicas", "3",
            "error_threshold", "0.1",
            "severity", "warning"),
        "annotations",
        Map.of("summary", "5xx above 10% on " + service),
        "startsAt",
        "2026-12-02T03:00:00Z",
        "endsAt",
        "0001-01-01T00:00:00Z",
        "generatorURL",
        "http://prometheus:9090/graph",
        "fingerprint",
        fingerprint);
  }

  private static String notification(List<Map<String, Object>> alerts) throws Exception {
    return JSON.writeValueAsString(
        Map.of(
            "version",
            "4",
            "groupKey",
            "{}:{alertname=\"HighErrorRate\"}",
            "status",
            alerts.get(0).get("status"),
            "receiver",
            "opsflow",
            "groupLabels",
            Map.of("alertname", "HighErrorRate"),
            "commonLabels",
            Map.of("alertname", "HighErrorRate"),
            "commonAnnotations",
            Map.of(),
            "externalURL",
            "http://alertmanager:9093",
            "alerts",
            alerts));
  }

  private static HttpResponse<String> post(String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/alerts"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + TOKEN)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Runs of {@code workflowId}, open and closed. */
  private static int runs(String workflowId) {
    var stub = client.getWorkflowServiceStubs().blockingStub();
    WorkflowExecutionFilter filter =
        WorkflowExecutionFilter.newBuilder().setWorkflowId(workflowId).build();
    String namespace = client.getOptions().getNamespace();
    return stub.listOpenWorkflowExecutions(
                ListOpenWorkflowExecutionsRequest.newBuilder()
                    .setNamespace(namespace)
                    .setExecutionFilter(filter)
                    .build())
            .getExecutionsCount()
        + stub.listClosedWorkflowExecutions(
                ListClosedWorkflowExecutionsRequest.newBuilder()
                    .setNamespace(namespace)
                    .setExecutionFilter(filter)
                    .build())
            .getExecutionsCount();
  }

  /** The input the run was started with, as the worker would read it. */
  private static RunbookRequest input(String workflowId) {
    var history =
        client
            .getWorkflowServiceStubs()
            .blockingStub()
            .getWorkflowExecutionHistory(
                GetWorkflowExecutionHistoryRequest.newBuilder()
                    .setNamespace(client.getOptions().getNamespace())
                    .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                    .build());
    var attributes = history.getHistory().getEvents(0).getWorkflowExecutionStartedEventAttributes();
    assertThat(attributes.getWorkflowType().getName()).isEqualTo(RunbookWorkflow.TYPE);
    assertThat(attributes.getTaskQueue().getName()).isEqualTo(QUEUE);
    return client
        .getOptions()
        .getDataConverter()
        .fromPayloads(
            0,
            java.util.Optional.of(attributes.getInput()),
            RunbookRequest.class,
            RunbookRequest.class);
  }

  @Test
  void aFiringAlertStartsTheRunbookOnceAndItsResendAndSiblingsAreAnsweredWithTheRun()
      throws Exception {
    HttpResponse<String> first =
        post(notification(List.of(alert("firing", "orders", "orders-1", "aa11bb22cc33dd44"))));
    assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
    JsonNode answer = JSON.readTree(first.body());
    assertThat(answer.path("accepted").asInt()).isEqualTo(1);
    JsonNode run = answer.path("runbooks").get(0);
    assertThat(run.path("runbookId").asText()).isEqualTo("high-error-rate");
    assertThat(run.path("alreadyRunning").asBoolean()).isFalse();
    String workflowId = run.path("workflowId").asText();
    started.add(workflowId);
    assertThat(workflowId).matches("runbook-high-error-rate-alert-[0-9a-f]{16}");
    assertThat(answer.path("workflows").get(0).asText()).isEqualTo(workflowId);
    String runId = run.path("runId").asText();

    RunbookRequest request = input(workflowId);
    assertThat(request.runbook().definition().id()).isEqualTo("high-error-rate");
    assertThat(request.runbook().sha256()).hasSize(64);
    assertThat(request.context())
        .containsEntry("service", "orders")
        .containsEntry("namespace", "demo")
        .containsEntry("replicas", "3")
        .containsEntry("errorThreshold", 0.1)
        .containsEntry("summary", "5xx above 10% on orders");
    assertThat(request.dryRun()).isFalse();
    assertThat(request.simulateFailures()).isEmpty();
    assertThat(request.by()).isEqualTo(RunbookRequest.AUTOMATON);
    assertThat(request.severity()).as("warning is high, as for every route").isEqualTo("high");
    assertThat(runs(workflowId)).isEqualTo(1);

    // Alertmanager resends the whole group at every group_interval: the same episode, nothing new.
    HttpResponse<String> resent =
        post(notification(List.of(alert("firing", "orders", "orders-1", "aa11bb22cc33dd44"))));
    assertThat(resent.statusCode()).isEqualTo(202);
    JsonNode resentAnswer = JSON.readTree(resent.body());
    assertThat(resentAnswer.path("duplicates").asInt()).isEqualTo(1);
    assertThat(resentAnswer.path("runbooks")).isEmpty();

    // The group grows: the resent alert plus another pod's of the same service. The new one is
    // the same problem, so the door answers with the running run.
    HttpResponse<String> grown =
        post(
            notification(
                List.of(
                    alert("firing", "orders", "orders-1", "aa11bb22cc33dd44"),
                    alert("firing", "orders", "orders-2", "ee55ff6600771188"))));
    assertThat(grown.statusCode()).isEqualTo(202);
    JsonNode grownAnswer = JSON.readTree(grown.body());
    assertThat(grownAnswer.path("duplicates").asInt()).isEqualTo(1);
    assertThat(grownAnswer.path("runbooks")).hasSize(1);
    JsonNode running = grownAnswer.path("runbooks").get(0);
    assertThat(running.path("workflowId").asText()).isEqualTo(workflowId);
    assertThat(running.path("alreadyRunning").asBoolean()).isTrue();
    assertThat(running.path("runId").asText()).as("the running run's ID").isEqualTo(runId);
    assertThat(runs(workflowId)).as("still one run").isEqualTo(1);

    // Once that run has ended, a new episode of the problem starts a new run.
    client.newUntypedWorkflowStub(workflowId).terminate("the SRE ended it");
    HttpResponse<String> later =
        post(notification(List.of(alert("firing", "orders", "orders-3", "0011223344556677"))));
    JsonNode next = JSON.readTree(later.body()).path("runbooks").get(0);
    assertThat(next.path("alreadyRunning").asBoolean()).isFalse();
    assertThat(next.path("runId").asText()).isNotEqualTo(runId);
    assertThat(runs(workflowId)).isEqualTo(2);
  }

  @Test
  void aResolvedAlertStartsNothing() throws Exception {
    HttpResponse<String> resolved =
        post(notification(List.of(alert("resolved", "billing", "billing-1", "1122334455667788"))));
    assertThat(resolved.statusCode()).as(resolved.body()).isEqualTo(202);
    JsonNode answer = JSON.readTree(resolved.body());
    assertThat(answer.path("accepted").asInt()).isEqualTo(1);
    assertThat(answer.path("runbooks")).isEmpty();
    assertThat(answer.path("workflows")).isEmpty();
    var routed =
        new AlertRouter(
                List.of(ROUTE),
                WorkflowCatalog.remediationTypeNames(),
                RunbookFolder.load(
                    new OpsflowConfig.Runbooks(Path.of("..", "runbooks").toString(), false, false),
                    RunbookFolder.builtInIds(WorkflowCatalog.typeNames())))
            .route(
                JSON.convertValue(
                    alert("firing", "billing", "billing-1", "1122334455667788"),
                    AlertmanagerPayload.Alert.class));
    String workflowId = ((AlertRouter.Routed.Runbook) routed).workflowId();
    assertThat(runs(workflowId)).as("no run of billing's problem").isZero();
  }

  @Test
  void anAlertWhoseValueTheRunbookCannotTakeIsUnroutableNamingTheField() throws Exception {
    Map<String, Object> bad = new LinkedHashMap<>(alert("firing", "cart", "cart-1", "99aa"));
    Map<String, Object> labels = new LinkedHashMap<>(cast(bad.get("labels")));
    labels.put("error_threshold", "ten percent");
    bad.put("labels", labels);
    HttpResponse<String> refused = post(notification(List.of(bad)));
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
    assertThat(JSON.readTree(refused.body()).path("unroutable").get(0).path("reason").asText())
        .isEqualTo(
            "route context errorThreshold: runbook high-error-rate's variable errorThreshold is a"
                + " number, got 'ten percent'");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Object map) {
    return (Map<String, Object>) map;
  }

  @Test
  void theReadmesRunbookRouteIsTheOneTestedHere(@TempDir Path dir) throws Exception {
    Path root = Path.of("").toAbsolutePath();
    while (root != null && !Files.exists(root.resolve("README.md"))) {
      root = root.getParent();
    }
    assertThat(root).as("README.md above the working directory").isNotNull();
    String readme = Files.readString(root.resolve("README.md"));
    String section = readme.substring(readme.indexOf("#### Routes to runbooks"));
    int start = section.indexOf("```yaml\nroutes:") + "```yaml\n".length();
    Path file = dir.resolve("opsflow.yaml");
    Files.writeString(file, section.substring(start, section.indexOf("```", start)));
    assertThat(ConfigLoader.load(file, Map.of()).alerts().routes()).containsExactly(ROUTE);
  }

  @Test
  void theStarterRefusesARouteToAnUnknownRunbookBeforeServing(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("opsflow.yaml");
    Files.writeString(
        file,
        """
        runbooks:
          dir: ../runbooks
        routes:
          - alert: HighErrorRate
            runbook: high-eror-rate
            context: {service: "{{service}}"}
        """);
    OpsflowConfig config = ConfigLoader.load(file, Map.of("ALERTS_BEARER_TOKEN", TOKEN));
    assertThatThrownBy(() -> StarterServer.start("127.0.0.1", 0, client, null, config))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "routes[0].runbook: unknown runbook 'high-eror-rate' (did you mean"
                + " high-error-rate?)");
  }
}
