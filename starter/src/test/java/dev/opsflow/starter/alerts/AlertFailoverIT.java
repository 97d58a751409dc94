package dev.opsflow.starter.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.activities.dispatch.RemediationDispatcher;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.config.Secret;
import dev.opsflow.contracts.failover.FailoverMode;
import dev.opsflow.contracts.failover.FailoverRequest;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /alerts} with Alertmanager's JSON for {@code PostgresPrimaryDown}: the default route
 * starts one FAILOVER-mode PostgresFailover of the cluster the alert names, through the same door
 * as the CLI and the REST API. No worker runs failovers here, so the run stays open, which is what
 * "a resent group while it runs" needs.
 */
class AlertFailoverIT {
  private static final String QUEUE = "alert-failover-it";
  private static final String TOKEN = "webhook-token-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static TestWorkflowEnvironment env;
  private static WorkflowClient client;
  private static AlertWebhook webhook;
  private static Javalin server;

  @BeforeAll
  static void start() {
    env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    env.start();
    client = env.getWorkflowClient();
    OpsflowConfig.Http limits = OpsflowConfig.defaults().http();
    webhook =
        new AlertWebhook(
            new WebhookAuth(
                new OpsflowConfig.Alerts(Secret.of(TOKEN), "", Secret.empty(), List.of())),
            new AlertRouter(List.of(), WorkflowCatalog.remediationTypeNames()),
            new RemediationDispatcher(client, QUEUE),
            60_000,
            new SimpleMeterRegistry(),
            new RequestBody(limits.maxBodyBytes(), limits.bodyTimeout(), 4),
            new TemporalDeadline(Duration.ofSeconds(10)),
            limits.maxAlerts(),
            limits.noticeWindow(),
            new FailoverTrigger(client, QUEUE, Set.of("orders", "billing")),
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
    server.stop();
    webhook.close();
    env.close();
  }

  private static String primaryDown(String cluster, String instance, String fingerprint)
      throws Exception {
    Map<String, Object> alert =
        Map.of(
            "status", "firing",
            "labels",
                Map.of(
                    "alertname",
                    "PostgresPrimaryDown",
                    "cluster",
                    cluster,
                    "instance",
                    instance,
                    "severity",
                    "critical"),
            "annotations", Map.of("summary", "primary " + instance + " of " + cluster + " down"),
            "startsAt", "2026-12-02T03:00:00Z",
            "endsAt", "0001-01-01T00:00:00Z",
            "generatorURL", "http://prometheus:9090/graph",
            "fingerprint", fingerprint);
    return JSON.writeValueAsString(
        Map.of(
            "version", "4",
            "groupKey", "{}:{alertname=\"PostgresPrimaryDown\"}",
            "status", "firing",
            "receiver", "opsflow",
            "groupLabels", Map.of("alertname", "PostgresPrimaryDown"),
            "commonLabels", Map.of("alertname", "PostgresPrimaryDown"),
            "commonAnnotations", Map.of(),
            "externalURL", "http://alertmanager:9093",
            "alerts", List.of(alert)));
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
  private static FailoverRequest input(String workflowId) {
    var history =
        client
            .getWorkflowServiceStubs()
            .blockingStub()
            .getWorkflowExecutionHistory(
                GetWorkflowExecutionHistoryRequest.newBuilder()
                    .setNamespace(client.getOptions().getNamespace())
                    .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                    .build());
    var started = history.getHistory().getEvents(0).getWorkflowExecutionStartedEventAttributes();
    assertThat(started.getWorkflowType().getName()).isEqualTo("PostgresFailover");
    return client
        .getOptions()
        .getDataConverter()
        .fromPayloads(
            0,
            java.util.Optional.of(started.getInput()),
            FailoverRequest.class,
            FailoverRequest.class);
  }

  @Test
  void aPrimaryDownAlertStartsOneFailoverAndAResentGroupIsAnsweredWithIt() throws Exception {
    String workflowId = FailoverRequest.workflowId("orders");
    try {
      HttpResponse<String> first = post(primaryDown("orders", "orders-a", "aa11bb22cc33dd44"));
      assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
      JsonNode answer = JSON.readTree(first.body());
      assertThat(answer.path("accepted").asInt()).isEqualTo(1);
      assertThat(answer.path("failovers").get(0).path("workflowId").asText()).isEqualTo(workflowId);
      assertThat(answer.path("failovers").get(0).path("alreadyRunning").asBoolean()).isFalse();
      String runId = answer.path("failovers").get(0).path("runId").asText();
      FailoverRequest request = input(workflowId);
      assertThat(request.cluster()).isEqualTo("orders");
      assertThat(request.mode()).isEqualTo(FailoverMode.FAILOVER);
      assertThat(request.candidate()).isNull();
      assertThat(request.run().requestedBy()).isEqualTo("opsflow");
      assertThat(request.run().alert().alertName()).isEqualTo("PostgresPrimaryDown");
      assertThat(runs(workflowId)).isEqualTo(1);

      // Alertmanager resends the group at every repeat_interval: the same episode is a duplicate.
      HttpResponse<String> resent = post(primaryDown("orders", "orders-a", "aa11bb22cc33dd44"));
      assertThat(resent.statusCode()).isEqualTo(202);
      assertThat(JSON.readTree(resent.body()).path("duplicates").asInt()).isEqualTo(1);
      // Another episode for the cluster (the alert restarted, or another member's) meets the door.
      HttpResponse<String> again = post(primaryDown("orders", "orders-b", "ee55ff6600771188"));
      assertThat(again.statusCode()).isEqualTo(202);
      JsonNode running = JSON.readTree(again.body()).path("failovers").get(0);
      assertThat(running.path("alreadyRunning").asBoolean()).isTrue();
      assertThat(running.path("runId").asText()).as("the running run's ID").isEqualTo(runId);
      assertThat(runs(workflowId)).as("still one run").isEqualTo(1);
    } finally {
      client.newUntypedWorkflowStub(workflowId).terminate("test done");
    }
  }

  @Test
  void aPrimaryDownAlertForAClusterNotConfiguredIsUnroutableAndStartsNothing() throws Exception {
    HttpResponse<String> refused = post(primaryDown("nosuch", "nosuch-a", "0123456789abcdef"));
    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(JSON.readTree(refused.body()).path("unroutable").get(0).path("reason").asText())
        .isEqualTo(
            "target.cluster: 'nosuch' is not in failover.clusters; configured: billing, orders");
    assertThat(runs(FailoverRequest.workflowId("nosuch"))).isZero();
  }
}
