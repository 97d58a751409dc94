package dev.opsflow.starter.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.activities.runbook.RunbookFolder;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.config.OpsflowConfig.ApiCaller;
import dev.opsflow.config.Secret;
import dev.opsflow.contracts.runbook.RunbookWorkflow;
import io.javalin.Javalin;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The REST door of runbooks as data over real HTTP against a Temporal test server: the shipped
 * runbooks loaded as the server loads them, the definition pinned into the run's input, 400 naming
 * the field before anything starts, 409 for a second start on a running ID, the run's version and
 * step visible, cancel. The interpreter is {@link FakeRunbookWorkflow}: what is tested is what the
 * door starts and what it reads back.
 */
class RunbookDoorIT {
  private static final String QUEUE = "runbook-door-it";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ALICE = "alice-token-0123456789";
  private static final Path SHIPPED = Path.of("..", "runbooks");
  private static final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static TestWorkflowEnvironment env;
  private static WorkflowClient client;
  private static Executions executions;
  private static Javalin server;
  private static RunbookFolder folder;

  @BeforeAll
  static void start() {
    env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    env.newWorker(QUEUE).registerWorkflowImplementationTypes(FakeRunbookWorkflow.class);
    env.start();
    client = env.getWorkflowClient();
    executions = new Executions(client);
    folder =
        RunbookFolder.load(
            new OpsflowConfig.Runbooks(SHIPPED.toString(), false, false),
            RunbookFolder.builtInIds(List.of("GuardedRestart")));
    OpsflowConfig.Api api =
        new OpsflowConfig.Api(List.of(new ApiCaller("alice", "operator", Secret.of(ALICE))), "");
    RestApi rest =
        new RestApi(
            executions,
            new ApiAuth(api),
            new AuditLog(""),
            new RestApi.Catalog(
                List.of("GuardedRestart", RunbookWorkflow.TYPE),
                Set.of(),
                Set.of(),
                Set.of(),
                QUEUE),
            OpsflowConfig.defaults().http(),
            Set.of(),
            folder);
    server =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  rest.mount(cfg.routes);
                })
            .start("127.0.0.1", 0);
  }

  @AfterAll
  static void stop() {
    server.stop();
    executions.close();
    env.close();
  }

  record Reply(int status, JsonNode body) {}

  private static Reply call(String method, String path, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + ALICE)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    return new Reply(
        response.statusCode(), response.body().isBlank() ? null : JSON.readTree(response.body()));
  }

  private static Reply execute(Map<String, Object> body) throws Exception {
    return call("POST", "/api/runbooks/execute", JSON.writeValueAsString(body));
  }

  private static String refusal(Map<String, Object> body) throws Exception {
    Reply reply = execute(body);
    assertThat(reply.status()).as(String.valueOf(reply.body())).isEqualTo(400);
    return reply.body().get("error").asText();
  }

  /** Open runs of {@code runbookId}, as the API lists them. */
  private static List<String> running(String runbookId) throws Exception {
    Reply list = call("GET", "/api/runbooks?status=active&runbookId=" + runbookId, null);
    assertThat(list.status()).isEqualTo(200);
    return list.body().get("executions").findValuesAsText("executionId");
  }

  /** A request for idle-sessions with its required input and one more field. */
  private static Map<String, Object> idleSessions(String field, Object value) {
    return Map.of(
        "runbookId",
        "idle-sessions",
        "context",
        Map.of("databases", List.of("orders")),
        field,
        value);
  }

  @Test
  void badInputIsRefusedNamingTheFieldAndStartsNothing() throws Exception {
    assertThat(refusal(Map.of("runbookId", "idle-sesions")))
        .isEqualTo(
            "runbookId: unknown runbook 'idle-sesions'; known: ai-service-recovery,"
                + " database-performance, dependency-health, error-recovery, gradual-rollout,"
                + " high-error-rate, high-memory-usage, idle-sessions, kafka-lag-recovery,"
                + " traffic-spike-management, guarded-restart, runbook-workflow");
    assertThat(refusal(Map.of("runbookId", "idle-sessions", "context", List.of("db"))))
        .isEqualTo("context: must be a JSON object (the runbook's input)");
    assertThat(
            refusal(
                Map.of(
                    "runbookId",
                    "high-error-rate",
                    "context",
                    Map.of("service", "orders", "errorThreshold", "high"))))
        .isEqualTo(
            "context.errorThreshold: the runbook's variable errorThreshold is a number (default"
                + " 0.05), got a string");
    assertThat(refusal(idleSessions("simulateFailures", List.of("terminate", "restrat"))))
        .startsWith("simulateFailures[1]: no step 'restrat' in runbook idle-sessions; its steps: ");
    assertThat(refusal(idleSessions("simulateFailures", "terminate")))
        .isEqualTo("simulateFailures: must be a list of step ids");
    assertThat(refusal(idleSessions("workflowId", "mine")))
        .isEqualTo(
            "workflowId: a run of runbook idle-sessions is named runbook-idle-sessions-<key> (at"
                + " most 200 characters; the dry-run mark is for dry runs), got 'mine'");
    assertThat(refusal(Map.of("runbookId", "ai-service-recovery", "context", Map.of())))
        .as("an input the runbook reads with no default")
        .isEqualTo(
            "context.baseUrl: required: runbook ai-service-recovery reads input.baseUrl and"
                + " declares no default for it");
    assertThat(refusal(Map.of("runbookId", "ai-service-recovery")))
        .as("no context at all")
        .startsWith("context.baseUrl: required");
    assertThat(refusal(Map.of("workflowType", RunbookWorkflow.TYPE)))
        .startsWith("runbookId: required with workflowType RunbookWorkflow; known: ");
    assertThat(refusal(Map.of("workflowType", "GuardedRestart", "dryRun", true)))
        .startsWith("dryRun: only for runbooks as data");

    assertThat(running("idle-sessions")).as("nothing started").isEmpty();
    assertThat(running("ai-service-recovery")).as("nothing started").isEmpty();
  }

  @Test
  void aStartedRunIsPinnedVisibleWithItsVersionAndStepRefusedTwiceAndCancelled() throws Exception {
    String id = "runbook-high-error-rate-door-it";
    Map<String, Object> body =
        Map.of(
            "runbookId",
            "high-error-rate",
            "workflowId",
            id,
            "context",
            Map.of("service", "orders", "namespace", "demo", "replicas", 2));
    String sha256 = folder.runbook("high-error-rate").orElseThrow().sha256();

    Reply started = execute(body);
    assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(202);
    assertThat(started.body().get("executionId").asText()).isEqualTo(id);
    assertThat(started.body().get("workflowType").asText()).isEqualTo(RunbookWorkflow.TYPE);
    assertThat(started.body().get("version").asText()).isEqualTo("1.0.1");
    assertThat(started.body().get("sha256").asText()).isEqualTo(sha256);
    String runId = started.body().get("runId").asText();

    Reply view = call("GET", "/api/runbooks?executionId=" + id, null);
    assertThat(view.status()).isEqualTo(200);
    JsonNode v = view.body();
    assertThat(v.get("status").asText()).isEqualTo("RUNNING");
    assertThat(v.get("runbook").get("id").asText()).isEqualTo("high-error-rate");
    assertThat(v.get("runbook").get("version").asText()).isEqualTo("1.0.1");
    assertThat(v.get("runbook").get("sha256").asText()).isEqualTo(sha256);
    assertThat(v.get("runbook").get("source").asText())
        .isEqualTo(SHIPPED.resolve("high-error-rate.yaml").toString());
    assertThat(v.get("context").get("service").asText()).isEqualTo("orders");
    assertThat(v.get("requestedBy").asText()).isEqualTo("alice");
    assertThat(v.get("statusAnswered").asBoolean()).isTrue();
    assertThat(v.get("currentStep").asText()).isEqualTo("error-ratio");
    assertThat(v.get("history").findValuesAsText("stepId")).containsExactly("error-ratio");
    assertThat(v.get("dryRun").asBoolean()).isFalse();
    // The definition travels in the input: the file's content, as read when the server started.
    assertThat(pinnedContent(id))
        .isEqualTo(Files.readString(SHIPPED.resolve("high-error-rate.yaml")));

    assertThat(running("high-error-rate")).containsExactly(id);

    Reply again = execute(body);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.body().get("runId").asText()).isEqualTo(runId);
    assertThat(again.body().get("error").asText()).contains("already running");

    Reply cancelled = call("DELETE", "/api/runbooks?executionId=" + id + "&reason=drill", null);
    assertThat(cancelled.status()).isEqualTo(202);
    await()
        .atMost(20, TimeUnit.SECONDS)
        .untilAsserted(
            () ->
                assertThat(
                        call("GET", "/api/runbooks?executionId=" + id, null)
                            .body()
                            .get("status")
                            .asText())
                    .isEqualTo("CANCELED"));
    assertThat(running("high-error-rate")).isEmpty();
  }

  @Test
  void aDryRunRunsUnderItsOwnIdAndAnswersItsResultWhenWaitedFor() throws Exception {
    Reply done =
        execute(
            Map.of(
                "runbookId",
                "kafka-lag-recovery",
                "dryRun",
                true,
                "async",
                false,
                "simulateFailures",
                List.of("scale-consumers"),
                "context",
                Map.of(
                    "namespace",
                    "demo",
                    "consumer",
                    "orders",
                    "groupId",
                    "orders",
                    "replicas",
                    4)));

    assertThat(done.status()).as(String.valueOf(done.body())).isEqualTo(200);
    assertThat(done.body().get("executionId").asText())
        .startsWith("runbook-kafka-lag-recovery-dry-run-");
    assertThat(done.body().get("dryRun").asBoolean()).isTrue();
    assertThat(done.body().get("status").asText()).isEqualTo("COMPLETED");
    JsonNode result = done.body().get("result");
    assertThat(result.get("phase").asText()).isEqualTo("SUCCEEDED");
    assertThat(result.get("dryRun").asBoolean()).isTrue();
    assertThat(result.get("history").get(0).get("outcome").asText())
        .as("the fake interpreter saw the simulated failure the door passed")
        .isEqualTo("FAILED");

    assertThat(
            refusal(
                Map.of(
                    "runbookId",
                    "kafka-lag-recovery",
                    "dryRun",
                    true,
                    "context",
                    Map.of(
                        "namespace",
                        "demo",
                        "consumer",
                        "orders",
                        "groupId",
                        "orders",
                        "replicas",
                        4),
                    "workflowId",
                    "runbook-kafka-lag-recovery-x")))
        .startsWith(
            "workflowId: a run of runbook kafka-lag-recovery is named"
                + " runbook-kafka-lag-recovery-dry-run-<key>");
  }

  /** The {@code runbook.content} of the run's start input. */
  private static String pinnedContent(String workflowId) {
    var events =
        client
            .getWorkflowServiceStubs()
            .blockingStub()
            .getWorkflowExecutionHistory(
                io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest.newBuilder()
                    .setNamespace(client.getOptions().getNamespace())
                    .setExecution(
                        io.temporal.api.common.v1.WorkflowExecution.newBuilder()
                            .setWorkflowId(workflowId))
                    .setMaximumPageSize(1)
                    .build())
            .getHistory()
            .getEventsList();
    JsonNode request =
        client
            .getOptions()
            .getDataConverter()
            .fromPayloads(
                0,
                java.util.Optional.of(
                    events.get(0).getWorkflowExecutionStartedEventAttributes().getInput()),
                JsonNode.class,
                JsonNode.class);
    return request.path("runbook").path("content").asText();
  }
}
