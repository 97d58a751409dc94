package dev.opsflow.starter.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.config.OpsflowConfig.ApiCaller;
import dev.opsflow.config.Secret;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import dev.opsflow.starter.GuardedRestart;
import io.javalin.Javalin;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST API over real HTTP against a Temporal test server (real time) running a small supervised
 * workflow with the real approval gate: roles (401, 403, 200), start by name, read, list, cancel,
 * approve and reject through the Update, the inbox, bad input and the audit trail.
 */
class RestApiIT {
  private static final String QUEUE = "rest-it";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String VIEWER = "viewer-token-0123456789";
  private static final String ALICE = "alice-token-0123456789";
  private static final String MALLORY = "mallory-token-0123456789";
  private static final String ADMIN = "admin-token-0123456789";
  private static final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @TempDir static Path dir;
  private static TestWorkflowEnvironment env;
  private static WorkflowClient client;
  private static Executions executions;
  private static Javalin server;
  private static Path auditFile;

  @BeforeAll
  static void start() {
    env = GuardedRestart.realTimeEnvironment(QUEUE);
    client = env.getWorkflowClient();
    executions = new Executions(client);
    auditFile = dir.resolve("audit.jsonl");
    OpsflowConfig.Api api =
        new OpsflowConfig.Api(
            List.of(
                new ApiCaller("vera", "viewer", Secret.of(VIEWER)),
                new ApiCaller("alice", "operator", Secret.of(ALICE)),
                new ApiCaller("mallory", "operator", Secret.of(MALLORY)),
                new ApiCaller("root", "admin", Secret.of(ADMIN))),
            auditFile.toString());
    RestApi rest =
        new RestApi(
            executions,
            new ApiAuth(api),
            new AuditLog(api.auditLog()),
            new RestApi.Catalog(
                List.of(
                    "GuardedRestart",
                    "ServiceLoop",
                    "CrashLoopRemediation",
                    "KafkaLagRemediation",
                    "PostgresFailover",
                    "CanaryRollout",
                    "BlueGreenDeployment",
                    "MlModelDeployment"),
                // No worker runs the remediations here: a delivered run waits, which is what
                // the one-run-per-problem and refusal tests need.
                Set.of("CrashLoopRemediation", "KafkaLagRemediation"),
                Set.of("GuardedRestart"),
                Set.of("ServiceLoop"),
                QUEUE),
            OpsflowConfig.defaults().http(),
            Set.of("orders", "billing"));
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

  record Reply(int status, JsonNode body, Optional<String> authenticate) {}

  private static Reply call(String method, String path, String token, String body)
      throws Exception {
    return call(method, path, token, body, null);
  }

  /** The same, with an {@code Idempotency-Key} header when {@code key} is not null. */
  private static Reply call(String method, String path, String token, String body, String key)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = response.body().isBlank() ? null : JSON.readTree(response.body());
    return new Reply(
        response.statusCode(), json, response.headers().firstValue("WWW-Authenticate"));
  }

  /** Starts a run through the API as mallory (so mallory is its requester). */
  private static String startWaiting(String askAbout, List<String> approvers, int required)
      throws Exception {
    Reply started =
        call(
            "POST",
            "/api/runbooks/execute",
            MALLORY,
            JSON.writeValueAsString(
                java.util.Map.of(
                    "runbookId",
                    "guarded-restart",
                    "context",
                    new GuardedRestart.Ask(askAbout, approvers, required))));
    assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(202);
    return started.body().get("executionId").asText();
  }

  @Test
  void aStartRetriedWithItsIdempotencyKeyIsAnsweredWithTheRunItStartedNotASecondRun()
      throws Exception {
    String guarded =
        JSON.writeValueAsString(
            java.util.Map.of(
                "runbookId",
                "guarded-restart",
                "context",
                new GuardedRestart.Ask("approval", List.of("alice"), 1)));
    String generic =
        "{\"workflowType\":\"GuardedRestart\",\"context\":{\"askAbout\":\"approval\","
            + "\"approvers\":[\"alice\"],\"required\":1}}";
    List<String> started = new java.util.ArrayList<>();
    try {
      for (String body : List.of(guarded, generic)) {
        // As a client retries a start whose answer it never heard (a 503 after Temporal had
        // accepted it): the same request again, with the same key.
        Reply first = call("POST", "/api/runbooks/execute", MALLORY, body, "retry-me-7f3a");
        Reply retry = call("POST", "/api/runbooks/execute", MALLORY, body, "retry-me-7f3a");
        assertThat(first.status()).as(String.valueOf(first.body())).isEqualTo(202);
        assertThat(retry.status()).as(String.valueOf(retry.body())).isEqualTo(202);
        String id = first.body().get("executionId").asText();
        started.add(id);
        assertThat(retry.body().get("executionId").asText()).isEqualTo(id);
        assertThat(retry.body().get("runId").asText())
            .as("the run the first attempt started")
            .isEqualTo(first.body().get("runId").asText());

        // Another caller's equal key is another request; no key is a new run each time.
        Reply others = call("POST", "/api/runbooks/execute", ALICE, body, "retry-me-7f3a");
        assertThat(others.status()).as(String.valueOf(others.body())).isEqualTo(202);
        started.add(others.body().get("executionId").asText());
        assertThat(others.body().get("executionId").asText()).isNotEqualTo(id);
        Reply unkeyed = call("POST", "/api/runbooks/execute", MALLORY, body);
        assertThat(unkeyed.status()).isEqualTo(202);
        started.add(unkeyed.body().get("executionId").asText());
        assertThat(unkeyed.body().get("executionId").asText()).isNotEqualTo(id);
      }

      // A run started under a key the caller named by its workflow ID: without the key a second
      // start is refused (409 naming the run), with it the run is the answer.
      String named =
          "{\"workflowType\":\"GuardedRestart\",\"workflowId\":\"rest-keyed-1\","
              + "\"context\":{\"askAbout\":\"approval\",\"approvers\":[\"alice\"],"
              + "\"required\":1}}";
      Reply first = call("POST", "/api/runbooks/execute", MALLORY, named, "named-1");
      started.add("rest-keyed-1");
      assertThat(first.status()).as(String.valueOf(first.body())).isEqualTo(202);
      assertThat(call("POST", "/api/runbooks/execute", MALLORY, named, "named-1").status())
          .isEqualTo(202);
      assertThat(call("POST", "/api/runbooks/execute", MALLORY, named).status()).isEqualTo(409);

      // The retry of a start whose run has already finished is that run, not a second one.
      String quick =
          "{\"workflowType\":\"GuardedRestart\",\"context\":{\"askAbout\":\"nothing\"},"
              + "\"async\":false}";
      Reply done = call("POST", "/api/runbooks/execute", MALLORY, quick, "finished-1");
      assertThat(done.status()).as(String.valueOf(done.body())).isEqualTo(200);
      assertThat(done.body().get("status").asText()).isEqualTo("COMPLETED");
      Reply late = call("POST", "/api/runbooks/execute", MALLORY, quick, "finished-1");
      assertThat(late.body().get("runId").asText())
          .as(String.valueOf(late.body()))
          .isEqualTo(done.body().get("runId").asText());

      int active =
          call("GET", "/api/runbooks?status=active", VIEWER, null).body().get("count").asInt();
      for (String bad : List.of("", "has space", "x".repeat(129), "semi;colon")) {
        Reply refused = call("POST", "/api/runbooks/execute", MALLORY, generic, bad);
        assertThat(refused.status()).as("key '" + bad + "'").isEqualTo(400);
        assertThat(refused.body().get("error").asText()).startsWith("Idempotency-Key: ");
      }
      assertThat(
              call("GET", "/api/runbooks?status=active", VIEWER, null).body().get("count").asInt())
          .as("nothing started for a refused key")
          .isEqualTo(active);
    } finally {
      for (String id : started) {
        client.newUntypedWorkflowStub(id).cancel();
      }
    }
  }

  @Test
  void withoutAKnownTokenEveryCallIs401AndAudited() throws Exception {
    Reply none = call("GET", "/api/runbooks?status=active", null, null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.authenticate()).contains("Bearer realm=\"opsflow\"");
    assertThat(none.body().get("error").asText()).contains("Authorization: Bearer");

    Reply wrong = call("POST", "/api/runbooks/execute", "not-a-token", "{}");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.body().get("error").asText()).isEqualTo("unknown or revoked token");

    String trail = Files.readString(auditFile);
    assertThat(trail).contains("\"caller\":\"anonymous\"").doesNotContain("not-a-token");
  }

  @Test
  void aFailoverStartsUnderItsClustersIdOnceAndBadInputStartsNothing() throws Exception {
    Reply sideways =
        call(
            "POST",
            "/api/runbooks/execute",
            ALICE,
            "{\"workflowType\":\"PostgresFailover\",\"context\":{\"cluster\":\"orders\","
                + "\"mode\":\"sideways\"}}");
    assertThat(sideways.status()).isEqualTo(400);
    assertThat(sideways.body().get("error").asText())
        .isEqualTo("context.mode: 'sideways'; expected SWITCHOVER or FAILOVER");
    Reply ownId =
        call(
            "POST",
            "/api/runbooks/execute",
            ALICE,
            "{\"workflowType\":\"PostgresFailover\",\"workflowId\":\"mine\","
                + "\"context\":{\"cluster\":\"orders\",\"mode\":\"SWITCHOVER\"}}");
    assertThat(ownId.status()).isEqualTo(400);
    assertThat(ownId.body().get("error").asText()).startsWith("workflowId: a failover's");
    assertThat(executions.info("failover-orders")).as("nothing started").isEmpty();

    String good =
        "{\"workflowType\":\"PostgresFailover\",\"context\":{\"cluster\":\"orders\","
            + "\"mode\":\"switchover\"}}";
    Reply first = call("POST", "/api/runbooks/execute", ALICE, good);
    assertThat(first.status()).as(String.valueOf(first.body())).isEqualTo(202);
    assertThat(first.body().get("executionId").asText()).isEqualTo("failover-orders");
    assertThat(first.body().get("requestedBy").asText()).isEqualTo("alice");
    try {
      Reply second = call("POST", "/api/runbooks/execute", ALICE, good);
      assertThat(second.status()).isEqualTo(409);
      assertThat(second.body().get("runId").asText())
          .as("the running run's ID")
          .isEqualTo(first.body().get("runId").asText());
    } finally {
      // No worker runs failovers here: an open run that cannot answer would slow the inbox of
      // the other tests, which scans every open run.
      client.newUntypedWorkflowStub("failover-orders").terminate("test done");
    }
  }

  @Test
  void aFailoverOfAClusterNotConfiguredIsRefusedListingTheConfiguredOnes() throws Exception {
    Reply unknown =
        call(
            "POST",
            "/api/runbooks/execute",
            ALICE,
            "{\"workflowType\":\"PostgresFailover\",\"context\":{\"cluster\":\"nosuch\","
                + "\"mode\":\"FAILOVER\"}}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.body().get("error").asText())
        .isEqualTo(
            "context.cluster: 'nosuch' is not in failover.clusters; configured: billing, orders");
    assertThat(executions.info("failover-nosuch")).as("nothing started").isEmpty();
  }

  @Test
  void aCanaryStartsOnItsDeploymentsIdOnceAndBadInputStartsNothing() throws Exception {
    String target =
        "\"target\":{\"namespace\":\"shop\",\"service\":\"web\",\"deployment\":\"web\","
            + "\"image\":\"web:2\"}";
    Reply falling =
        call(
            "POST",
            "/api/runbooks/execute",
            ALICE,
            "{\"workflowType\":\"CanaryRollout\",\"context\":{"
                + target
                + ",\"steps\":[{\"weight\":50},{\"weight\":20},{\"weight\":100}]}}");
    assertThat(falling.status()).isEqualTo(400);
    assertThat(falling.body().get("error").asText())
        .isEqualTo("context.steps[1].weight: 20 does not rise above the step before (50)");
    Reply unknown =
        call(
            "POST",
            "/api/runbooks/execute",
            ALICE,
            "{\"workflowType\":\"CanaryRollout\",\"context\":{"
                + target.replace("\"image\"", "\"colour\":\"blue\",\"image\"")
                + "}}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.body().get("error").asText())
        .startsWith("context.target.colour: unknown field; expected container, deployment");
    Reply someoneElse =
        call(
            "POST",
            "/api/runbooks/execute",
            ALICE,
            "{\"workflowType\":\"CanaryRollout\",\"context\":{"
                + target
                + ",\"run\":{\"requestedBy\":\"bob\"}}}");
    assertThat(someoneElse.status()).isEqualTo(400);
    assertThat(someoneElse.body().get("error").asText()).startsWith("context.run.requestedBy:");
    Reply ownId =
        call(
            "POST",
            "/api/runbooks/execute",
            ALICE,
            "{\"workflowType\":\"CanaryRollout\",\"workflowId\":\"mine\",\"context\":{"
                + target
                + "}}");
    assertThat(ownId.status()).isEqualTo(400);
    assertThat(ownId.body().get("error").asText()).startsWith("workflowId: a rollout's");
    assertThat(executions.info("rollout-shop.web")).as("nothing started").isEmpty();

    String good = "{\"workflowType\":\"CanaryRollout\",\"context\":{" + target + "}}";
    Reply first = call("POST", "/api/runbooks/execute", ALICE, good);
    assertThat(first.status()).as(String.valueOf(first.body())).isEqualTo(202);
    assertThat(first.body().get("executionId").asText()).isEqualTo("rollout-shop.web");
    assertThat(first.body().get("rolloutUrl").asText()).isEqualTo("/api/rollouts/rollout-shop.web");
    try {
      Reply second = call("POST", "/api/runbooks/execute", ALICE, good);
      assertThat(second.status()).isEqualTo(409);
      assertThat(second.body().get("runId").asText())
          .as("the running rollout's ID")
          .isEqualTo(first.body().get("runId").asText());
      Reply viewerAborts =
          call("POST", "/api/rollouts/rollout-shop.web/abort", VIEWER, "{\"comment\":\"no\"}");
      assertThat(viewerAborts.status()).isEqualTo(403);
    } finally {
      // No worker runs canaries here; an open run that cannot answer slows the other tests.
      client.newUntypedWorkflowStub("rollout-shop.web").terminate("test done");
    }
    assertThat(call("GET", "/api/rollouts/rollout-none.web", VIEWER, null).status()).isEqualTo(404);
    Reply noRun = call("POST", "/api/rollouts/rollout-none.web/promote", ALICE, null);
    assertThat(noRun.status()).isEqualTo(404);
    Reply namesSomeone =
        call("POST", "/api/rollouts/rollout-none.web/promote", ALICE, "{\"by\":\"eve\"}");
    assertThat(namesSomeone.status()).isEqualTo(400);
    assertThat(namesSomeone.body().get("error").asText())
        .isEqualTo("by: the API records the caller (alice); leave it out");
  }

  @Test
  void aBlueGreenStartsThroughTheRolloutDoorAndBadInputNamesTheField() throws Exception {
    String target =
        "\"target\":{\"namespace\":\"shop\",\"service\":\"cart\",\"deployment\":\"cart\","
            + "\"image\":\"cart:2\"}";
    Reply same =
        call(
            "POST",
            "/api/runbooks/execute",
            ALICE,
            "{\"workflowType\":\"BlueGreenDeployment\",\"context\":{"
                + target
                + ",\"previewService\":\"cart\"}}");
    assertThat(same.status()).isEqualTo(400);
    assertThat(same.body().get("error").asText())
        .isEqualTo("context.previewService: must differ from target.service (the active Service)");
    Reply missing =
        call(
            "POST",
            "/api/runbooks/execute",
            ALICE,
            "{\"workflowType\":\"BlueGreenDeployment\",\"context\":{" + target + "}}");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.body().get("error").asText()).startsWith("context.previewService:");
    Reply unknown =
        call(
            "POST",
            "/api/runbooks/execute",
            ALICE,
            "{\"workflowType\":\"BlueGreenDeployment\",\"context\":{"
                + target
                + ",\"previewService\":\"cart-preview\",\"colour\":\"blue\"}}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.body().get("error").asText())
        .startsWith("context.colour: unknown field; expected analysis, approveBeforeSwitch");
    Reply ownId =
        call(
            "POST",
            "/api/runbooks/execute",
            ALICE,
            "{\"workflowType\":\"BlueGreenDeployment\",\"workflowId\":\"mine\",\"context\":{"
                + target
                + ",\"previewService\":\"cart-preview\"}}");
    assertThat(ownId.status()).isEqualTo(400);
    assertThat(ownId.body().get("error").asText()).startsWith("workflowId: a rollout's");
    assertThat(executions.info("rollout-shop.cart")).as("nothing started").isEmpty();

    String good =
        "{\"workflowType\":\"BlueGreenDeployment\",\"context\":{"
            + target
            + ",\"previewService\":\"cart-preview\"}}";
    Reply first = call("POST", "/api/runbooks/execute", ALICE, good);
    try {
      assertThat(first.status()).as(String.valueOf(first.body())).isEqualTo(202);
      assertThat(first.body().get("executionId").asText()).isEqualTo("rollout-shop.cart");
      assertThat(first.body().get("rolloutUrl").asText())
          .isEqualTo("/api/rollouts/rollout-shop.cart");
      assertThat(executions.info("rollout-shop.cart").orElseThrow().getType().getName())
          .isEqualTo("BlueGreenDeployment");
      Reply second = call("POST", "/api/runbooks/execute", ALICE, good);
      assertThat(second.status()).isEqualTo(409);
      assertThat(second.body().get("runId").asText())
          .as("the running rollout's ID")
          .isEqualTo(first.body().get("runId").asText());
    } finally {
      // No worker runs blue-greens here; an open run that cannot answer slows the other tests.
      client.newUntypedWorkflowStub("rollout-shop.cart").terminate("test done");
    }
  }

  @Test
  void anMlDeploymentStartsThroughTheRolloutDoorAndBadInputNamesTheField() throws Exception {
    String target =
        "\"target\":{\"namespace\":\"shop\",\"service\":\"model\",\"deployment\":\"model\","
            + "\"image\":\"model:v2\"}";
    Reply low =
        call(
            "POST",
            "/api/runbooks/execute",
            ALICE,
            "{\"workflowType\":\"MlModelDeployment\",\"context\":{"
                + target
                + ",\"modelVersion\":\"v2\",\"trafficPercentage\":0}}");
    assertThat(low.status()).isEqualTo(400);
    assertThat(low.body().get("error").asText())
        .isEqualTo("context.trafficPercentage: must be from 1 to 99 (a canary's share), was 0");
    Reply unknown =
        call(
            "POST",
            "/api/runbooks/execute",
            ALICE,
            "{\"workflowType\":\"MlModelDeployment\",\"context\":{"
                + target
                + ",\"model\":\"v2\"}}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.body().get("error").asText())
        .startsWith("context.model: unknown field; expected acceptanceThreshold, analysis");
    assertThat(executions.info("rollout-shop.model")).as("nothing started").isEmpty();

    String good =
        "{\"workflowType\":\"MlModelDeployment\",\"context\":{"
            + target
            + ",\"modelVersion\":\"v2\"}}";
    Reply first = call("POST", "/api/runbooks/execute", ALICE, good);
    try {
      assertThat(first.status()).as(String.valueOf(first.body())).isEqualTo(202);
      assertThat(first.body().get("executionId").asText()).isEqualTo("rollout-shop.model");
      assertThat(first.body().get("rolloutUrl").asText())
          .isEqualTo("/api/rollouts/rollout-shop.model");
      assertThat(call("POST", "/api/runbooks/execute", ALICE, good).status()).isEqualTo(409);
    } finally {
      client.newUntypedWorkflowStub("rollout-shop.model").terminate("test done");
    }
  }

  @Test
  void theStatusOfAnyRunIsWhatTheCliShowsAndTheCliAsksItWithoutTemporal() throws Exception {
    String id = startWaiting("status over REST", List.of(), 1);
    String api = "http://127.0.0.1:" + server.port();
    Path viewerToken = dir.resolve("viewer.token");
    java.nio.file.Files.writeString(viewerToken, VIEWER + "\n");

    Reply running = call("GET", "/api/executions/" + id + "/status", VIEWER, null);
    assertThat(running.status()).as("GuardedRestart has no status query").isEqualTo(409);
    assertThat(running.body().get("error").asText())
        .startsWith("'" + id + "' does not answer a 'status' query");
    dev.opsflow.cli.CliRun asked =
        dev.opsflow.cli.CliRun.of(
            "status", id, "--api", api, "--api-token-file", viewerToken.toString());
    assertThat(asked.exitCode()).as(asked.err()).isEqualTo(2);
    assertThat(asked.err()).startsWith("opsflow: WORKFLOW_ID: '" + id + "' does not answer");

    client.newUntypedWorkflowStub(id).terminate("status drill");
    Reply ended = call("GET", "/api/executions/" + id + "/status", VIEWER, null);
    assertThat(ended.status()).as(String.valueOf(ended.body())).isEqualTo(200);
    assertThat(ended.body().get("runStatus").asText()).isEqualTo("TERMINATED");
    assertThat(ended.body().toString()).contains("status drill");
    dev.opsflow.cli.CliRun shown =
        dev.opsflow.cli.CliRun.of(
            "status", id, "--json", "--api", api, "--api-token-file", viewerToken.toString());
    assertThat(shown.exitCode()).as(shown.err()).isZero();
    assertThat(JSON.readTree(shown.out())).isEqualTo(ended.body());
    assertThat(JSON.readTree(shown.out())).isEqualTo(executions.statusView(id));

    assertThat(call("GET", "/api/executions/no-such-run/status", VIEWER, null).status())
        .isEqualTo(404);
    dev.opsflow.cli.CliRun none =
        dev.opsflow.cli.CliRun.of(
            "status", "no-such-run", "--api", api, "--api-token-file", viewerToken.toString());
    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.err()).isEqualTo("opsflow: WORKFLOW_ID: no workflow 'no-such-run'\n");
    assertThat(call("GET", "/api/executions/" + id + "/status", null, null).status())
        .isEqualTo(401);
    Path wrong = dir.resolve("wrong.token");
    java.nio.file.Files.writeString(wrong, "not-a-token");
    dev.opsflow.cli.CliRun refused =
        dev.opsflow.cli.CliRun.of("status", id, "--api", api, "--api-token-file", wrong.toString());
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.err()).startsWith("opsflow: OPSFLOW_API_TOKEN: the REST API refused it");
  }

  @Test
  void rolesDecideWhoMayReadActAndAudit() throws Exception {
    assertThat(call("GET", "/api/runbooks?status=active", VIEWER, null).status()).isEqualTo(200);
    assertThat(call("GET", "/api/approvals", VIEWER, null).status()).isEqualTo(200);

    Reply viewerStarts =
        call("POST", "/api/runbooks/execute", VIEWER, "{\"workflowType\":\"GuardedRestart\"}");
    assertThat(viewerStarts.status()).isEqualTo(403);
    assertThat(viewerStarts.body().get("error").asText())
        .isEqualTo("vera has role viewer; execute needs role operator or higher");
    assertThat(call("DELETE", "/api/runbooks?executionId=x", VIEWER, null).status()).isEqualTo(403);
    assertThat(call("POST", "/api/executions/x/approve", VIEWER, null).status()).isEqualTo(403);

    // A long-running service (one per stack) is an admin's to start. No worker runs this type,
    // so the admin's run just waits until it is terminated.
    Reply operatorStartsAService =
        call("POST", "/api/runbooks/execute", ALICE, "{\"workflowType\":\"ServiceLoop\"}");
    assertThat(operatorStartsAService.status()).isEqualTo(403);
    assertThat(operatorStartsAService.body().get("error").asText())
        .isEqualTo("alice has role operator; starting ServiceLoop needs role admin or higher");
    Reply adminStartsAService =
        call("POST", "/api/runbooks/execute", ADMIN, "{\"workflowType\":\"ServiceLoop\"}");
    assertThat(adminStartsAService.status()).isEqualTo(202);
    client
        .newUntypedWorkflowStub(adminStartsAService.body().get("executionId").asText())
        .terminate("test over");

    assertThat(call("GET", "/api/audit", ALICE, null).status()).isEqualTo(403);
    Reply audit = call("GET", "/api/audit?limit=500", ADMIN, null);
    assertThat(audit.status()).isEqualTo(200);
    List<JsonNode> entries = new java.util.ArrayList<>();
    audit.body().get("entries").forEach(entries::add);
    assertThat(entries)
        .anySatisfy(
            e -> {
              assertThat(e.get("caller").asText()).isEqualTo("vera");
              assertThat(e.get("action").asText()).isEqualTo("execute");
              assertThat(e.get("status").asInt()).isEqualTo(403);
            });
    assertThat(Files.readString(auditFile)).doesNotContain(VIEWER, ALICE, MALLORY, ADMIN);
  }

  @Test
  void anApproverApprovesWhileAnotherOperatorIsRefusedAndTheInboxFollows() throws Exception {
    String id = startWaiting("approval", List.of("alice", "bob"), 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> inbox().findValuesAsText("executionId").contains(id));
    JsonNode waiting = entryOf(inbox(), id);
    assertThat(waiting.get("kind").asText()).isEqualTo("approval");
    assertThat(waiting.get("action").asText()).isEqualTo("restart demo/orders-consumer");
    assertThat(waiting.get("workflowType").asText()).isEqualTo("GuardedRestart");
    assertThat(JSON.convertValue(waiting.get("approvers"), List.class))
        .containsExactly("alice", "bob");
    assertThat(waiting.get("since").asText()).isNotBlank();

    Reply refused =
        call("POST", "/api/executions/" + id + "/approve", MALLORY, "{\"comment\":\"lgtm\"}");
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.body().get("error").asText()).contains("mallory is not an approver");

    Reply approved =
        call("POST", "/api/executions/" + id + "/approve", ALICE, "{\"comment\":\"go\"}");
    assertThat(approved.status()).as(String.valueOf(approved.body())).isEqualTo(200);
    assertThat(approved.body().get("state").asText()).isEqualTo("APPROVED");
    assertThat(approved.body().get("by").asText()).isEqualTo("alice");
    assertThat(client.newUntypedWorkflowStub(id).getResult(10, TimeUnit.SECONDS, String.class))
        .isEqualTo("APPROVED");

    Reply late = call("POST", "/api/executions/" + id + "/reject", ALICE, null);
    assertThat(late.status()).as(String.valueOf(late.body())).isEqualTo(404);
    assertThat(inbox().findValuesAsText("executionId")).doesNotContain(id);
  }

  @Test
  void theCallerIsTheRequesterSoFourEyesHoldsThroughTheApi() throws Exception {
    Reply spoofed =
        call(
            "POST",
            "/api/runbooks/execute",
            ALICE,
            "{\"workflowType\":\"GuardedRestart\",\"context\":{\"askAbout\":\"approval\","
                + "\"approvers\":[\"alice\",\"bob\"],\"required\":1,\"requestedBy\":\"opsflow\"}}");
    assertThat(spoofed.status()).isEqualTo(400);
    assertThat(spoofed.body().get("error").asText())
        .startsWith("context.requestedBy: the API records the caller (alice)");

    Reply started =
        call(
            "POST",
            "/api/runbooks/execute",
            ALICE,
            "{\"workflowType\":\"GuardedRestart\",\"context\":{\"askAbout\":\"approval\","
                + "\"approvers\":[\"alice\",\"bob\"],\"required\":1}}");
    assertThat(started.status()).isEqualTo(202);
    assertThat(started.body().get("requestedBy").asText()).isEqualTo("alice");
    String id = started.body().get("executionId").asText();
    assertThat(inboxEntry(id).get("requestedBy").asText()).isEqualTo("alice");

    Reply own = call("POST", "/api/executions/" + id + "/approve", ALICE, null);
    assertThat(own.status()).isEqualTo(403);
    assertThat(own.body().get("error").asText())
        .isEqualTo(
            "your approve did not count: alice requested this and cannot decide on it"
                + " (four-eyes) [FourEyes]");
    assertThat(inboxEntry(id).get("approvals").asInt()).isZero();
    client.newUntypedWorkflowStub(id).cancel();
  }

  @Test
  void aRejectionEndsTheRequest() throws Exception {
    String id = startWaiting("approval", List.of("alice"), 1);
    Reply rejected =
        call("POST", "/api/executions/" + id + "/reject", ALICE, "{\"comment\":\"not now\"}");
    assertThat(rejected.status()).as(String.valueOf(rejected.body())).isEqualTo(200);
    assertThat(rejected.body().get("state").asText()).isEqualTo("REJECTED");
    assertThat(client.newUntypedWorkflowStub(id).getResult(10, TimeUnit.SECONDS, String.class))
        .isEqualTo("REJECTED");
  }

  @Test
  void aDecisionBodyCannotNameSomeoneElse() throws Exception {
    String id = startWaiting("approval", List.of("alice", "mallory"), 1);
    Reply spoof = call("POST", "/api/executions/" + id + "/approve", MALLORY, "{\"by\":\"alice\"}");
    assertThat(spoof.status()).isEqualTo(400);
    assertThat(spoof.body().get("error").asText()).startsWith("by: the API records the caller");
    assertThat(inboxEntry(id).get("approvals").asInt()).isZero();
  }

  @Test
  void cancelRecordsWhoCancelledAndAReadShowsIt() throws Exception {
    String id = startWaiting("failedStep", List.of("alice"), 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> inbox().findValuesAsText("executionId").contains(id));
    assertThat(entryOf(inbox(), id).get("kind").asText()).isEqualTo("failedStep");

    Reply cancelled =
        call("DELETE", "/api/runbooks?executionId=" + id + "&reason=wrong%20target", ALICE, null);
    assertThat(cancelled.status()).isEqualTo(202);
    assertThat(cancelled.body().get("reason").asText())
        .isEqualTo("cancelled by alice via the REST API: wrong target");

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              Reply read = call("GET", "/api/runbooks?executionId=" + id, VIEWER, null);
              assertThat(read.status()).isEqualTo(200);
              assertThat(read.body().get("status").asText()).isEqualTo("CANCELED");
              assertThat(read.body().get("cancelledBy").asText())
                  .isEqualTo("cancelled by alice via the REST API: wrong target");
              assertThat(read.body().at("/context/askAbout").asText()).isEqualTo("failedStep");
            });
    Reply again = call("DELETE", "/api/runbooks?executionId=" + id, ALICE, null);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.body().get("error").asText()).endsWith("is CANCELED; nothing to cancel");
    assertThat(call("DELETE", "/api/runbooks?executionId=never-started", ALICE, null).status())
        .isEqualTo(404);
  }

  @Test
  void aSynchronousExecuteReturnsTheResultAndTheListShowsTheRun() throws Exception {
    Reply done =
        call(
            "POST",
            "/api/runbooks/execute",
            ALICE,
            "{\"workflowType\":\"GuardedRestart\",\"workflowId\":\"rest-sync-1\","
                + "\"context\":{\"askAbout\":\"nothing\"},\"async\":false}");
    assertThat(done.status()).as(String.valueOf(done.body())).isEqualTo(200);
    assertThat(done.body().get("status").asText()).isEqualTo("COMPLETED");
    assertThat(done.body().get("result").asText()).isEqualTo("DONE");
    assertThat(done.body().get("executionId").asText()).isEqualTo("rest-sync-1");

    Reply failed =
        call(
            "POST",
            "/api/runbooks/execute",
            ALICE,
            "{\"workflowType\":\"GuardedRestart\",\"context\":{\"askAbout\":\"fail\"},"
                + "\"async\":false}");
    assertThat(failed.status()).as(String.valueOf(failed.body())).isEqualTo(200);
    assertThat(failed.body().get("status").asText()).isEqualTo("FAILED");
    assertThat(failed.body().get("failure").asText()).isEqualTo("restart refused by the cluster");

    Reply closed = call("GET", "/api/runbooks?status=closed", VIEWER, null);
    assertThat(closed.body().get("count").asInt()).isPositive();
    assertThat(closed.body().get("executions").findValuesAsText("executionId"))
        .contains("rest-sync-1");

    Reply again =
        call(
            "POST",
            "/api/runbooks/execute",
            ALICE,
            "{\"workflowType\":\"GuardedRestart\",\"workflowId\":\"rest-sync-1\","
                + "\"context\":{\"askAbout\":\"nothing\"}}");
    // The default ID reuse policy allows a new run after a closed one.
    assertThat(again.status()).isEqualTo(202);

    String running = startWaiting("approval", List.of("alice"), 1);
    Reply active = call("GET", "/api/runbooks?status=active", VIEWER, null);
    assertThat(active.body().get("executions").findValuesAsText("executionId")).contains(running);
    Reply taken =
        call(
            "POST",
            "/api/runbooks/execute",
            ALICE,
            "{\"workflowType\":\"GuardedRestart\",\"workflowId\":\"" + running + "\"}");
    assertThat(taken.status()).isEqualTo(409);
    client.newUntypedWorkflowStub(running).cancel();
  }

  @Test
  void badInputIsRefusedWithTheFieldAndStartsNothing() throws Exception {
    int before =
        call("GET", "/api/runbooks?status=active", VIEWER, null).body().get("count").asInt();
    assertThat(error("POST", "/api/runbooks/execute", "{\"workflowType\":"))
        .contains("not valid JSON");
    assertThat(error("POST", "/api/runbooks/execute", "[]")).contains("must be a JSON object");
    assertThat(error("POST", "/api/runbooks/execute", "{}"))
        .startsWith("workflowType or runbookId: one is required");
    assertThat(error("POST", "/api/runbooks/execute", "{\"workflowType\":\"DropTables\"}"))
        .startsWith("workflowType: unknown workflow type 'DropTables'");
    assertThat(error("POST", "/api/runbooks/execute", "{\"runbookId\":\"drop-tables\"}"))
        .startsWith("runbookId: unknown runbook 'drop-tables'; known: guarded-restart");
    assertThat(
            error(
                "POST",
                "/api/runbooks/execute",
                "{\"workflowType\":\"GuardedRestart\",\"contxt\":{}}"))
        .startsWith("contxt: unknown field");
    assertThat(
            error(
                "POST",
                "/api/runbooks/execute",
                "{\"workflowType\":\"GuardedRestart\",\"context\":\"askAbout\"}"))
        .startsWith("context: must be a JSON object");
    assertThat(
            error(
                "POST",
                "/api/runbooks/execute",
                "{\"workflowType\":\"GuardedRestart\",\"async\":\"no\"}"))
        .startsWith("async: must be true or false");
    assertThat(error("GET", "/api/runbooks?status=bogus", null)).startsWith("status: expected");
    assertThat(error("GET", "/api/runbooks?status=active&limit=0", null)).startsWith("limit:");
    assertThat(call("GET", "/api/runbooks?executionId=nope", VIEWER, null).status()).isEqualTo(404);
    assertThat(call("GET", "/api/runbooks?status=active", VIEWER, null).body().get("count").asInt())
        .isEqualTo(before);
  }

  private static String crashLoop(String deployment, String severity) {
    return "{\"workflowType\":\"CrashLoopRemediation\",\"context\":{\"target\":"
        + "{\"namespace\":\"demo\",\"deployment\":\""
        + deployment
        + "\"},\"severity\":\""
        + severity
        + "\"}}";
  }

  private static String problemId(String deployment) {
    return new RemediationRequest(
            "CrashLoopRemediation",
            new WorkloadTarget("demo", deployment, null, null),
            "critical",
            null,
            RemediationRequest.AUTOMATON)
        .workflowId();
  }

  private static long openRunsWithId(String workflowId) {
    return executions.list(false, 1000).stream()
        .filter(r -> r.get("executionId").equals(workflowId))
        .count();
  }

  private static List<HistoryEvent> history(String workflowId) {
    return client
        .getWorkflowServiceStubs()
        .blockingStub()
        .getWorkflowExecutionHistory(
            GetWorkflowExecutionHistoryRequest.newBuilder()
                .setNamespace(client.getOptions().getNamespace())
                .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                .build())
        .getHistory()
        .getEventsList();
  }

  @Test
  void twoExecutesForOneProblemAreOneRunOnTheProblemsWorkflowId() throws Exception {
    String id = problemId("rest-payments");
    Reply first =
        call("POST", "/api/runbooks/execute", ALICE, crashLoop("rest-payments", "critical"));
    assertThat(first.status()).as(String.valueOf(first.body())).isEqualTo(202);
    Reply second =
        call("POST", "/api/runbooks/execute", MALLORY, crashLoop("rest-payments", "critical"));
    assertThat(second.status()).as(String.valueOf(second.body())).isEqualTo(202);

    assertThat(first.body().get("executionId").asText()).isEqualTo(id);
    assertThat(second.body().get("executionId").asText()).isEqualTo(id);
    assertThat(second.body().get("runId").asText()).isEqualTo(first.body().get("runId").asText());
    assertThat(openRunsWithId(id)).isEqualTo(1);
    // The first start's signal is in the history (the test service holds back later ones while
    // a workflow task is out, and no worker here completes one).
    assertThat(history(id))
        .filteredOn(HistoryEvent::hasWorkflowExecutionSignaledEventAttributes)
        .extracting(e -> e.getWorkflowExecutionSignaledEventAttributes().getSignalName())
        .startsWith("alertFired");

    Reply read = call("GET", "/api/runbooks?executionId=" + id, VIEWER, null);
    JsonNode input = read.body().get("context");
    assertThat(input.get("procedure").asText()).isEqualTo("CrashLoopRemediation");
    assertThat(input.at("/run/requestedBy").asText()).isEqualTo("alice");
    assertThat(input.has("policy")).as("the server's policy holds").isFalse();
    assertThat(input.has("limits")).as("the caller tightened nothing").isFalse();
    assertThat(input.at("/run/alert/source").asText()).isEqualTo("operator");
    assertThat(input.at("/run/alert/fingerprint").asText()).isEqualTo("operator:alice");
    assertThat(input.at("/target/deployment").asText()).isEqualTo("rest-payments");
    client.newUntypedWorkflowStub(id).terminate("test over");
  }

  @Test
  void aRemediationThatCouldNotBeARequestIsRefusedAndNothingStarts() throws Exception {
    int before = executions.list(false, 1000).size();
    assertThat(
            error(
                "POST",
                "/api/runbooks/execute",
                "{\"workflowType\":\"KafkaLagRemediation\",\"context\":{\"target\":{\"namespace\":"
                    + "\"demo\",\"deployment\":\"orders-consumer\",\"consumerGroup\":\"orders\"},"
                    + "\"severity\":\"high\",\"policy\":{\"maxReplicas\":1000}}}"))
        .isEqualTo(
            "context.policy: the safety policy is the server's (opsflow.yaml healing.* /"
                + " procedures:); it cannot be set per run");
    assertThat(
            error(
                "POST",
                "/api/runbooks/execute",
                "{\"workflowType\":\"CrashLoopRemediation\",\"workflowId\":\"my-own-id\","
                    + "\"context\":{\"target\":{\"namespace\":\"demo\",\"deployment\":\"p\"},"
                    + "\"severity\":\"critical\"}}"))
        .startsWith("workflowId: a remediation's workflow ID is derived from its problem");
    assertThat(executions.info("my-own-id")).isEmpty();
    assertThat(
            error("POST", "/api/runbooks/execute", "{\"workflowType\":\"CrashLoopRemediation\"}"))
        .isEqualTo(
            "context.severity: expected one of [critical, high, medium, low], got 'null'; "
                + "context.target.namespace: required for CrashLoopRemediation; "
                + "context.target.deployment: required for CrashLoopRemediation");
    assertThat(
            error(
                "POST",
                "/api/runbooks/execute",
                "{\"workflowType\":\"CrashLoopRemediation\",\"context\":{}}"))
        .contains("context.target.namespace: required for CrashLoopRemediation");
    assertThat(executions.info(problemId(""))).isEmpty();
    assertThat(error("POST", "/api/runbooks/execute", crashLoop("rest-typo", "urgent")))
        .isEqualTo("context.severity: expected one of [critical, high, medium, low], got 'urgent'");
    assertThat(executions.info(problemId("rest-typo"))).isEmpty();
    String traversal = "../../prod/deployments/x";
    assertThat(error("POST", "/api/runbooks/execute", crashLoop(traversal, "critical")))
        .startsWith("context.target.deployment: '../../prod/deployments/x' is not valid");
    assertThat(executions.info(problemId(traversal))).isEmpty();
    assertThat(executions.list(false, 1000)).hasSize(before);
  }

  @Test
  void terminateStopsARunAtOnceAndRecordsWhoAndWhy() throws Exception {
    String id = startWaiting("approval", List.of("alice"), 1);
    String path = "/api/executions/" + id + "/terminate";
    assertThat(error("POST", path, "{}")).startsWith("reason: required");
    assertThat(error("POST", path, "{\"reason\":\"x\",\"by\":\"bob\"}"))
        .startsWith("by: unknown field");
    assertThat(call("POST", path, VIEWER, "{\"reason\":\"x\"}").status()).isEqualTo(403);
    Reply unknown =
        call("POST", "/api/executions/never-started/terminate", ALICE, "{\"reason\":\"x\"}");
    assertThat(unknown.status()).isEqualTo(404);

    Reply terminated = call("POST", path, ALICE, "{\"reason\":\"cleanup hangs\"}");
    assertThat(terminated.status()).as(String.valueOf(terminated.body())).isEqualTo(200);
    assertThat(terminated.body().get("reason").asText())
        .isEqualTo("terminated by alice via the REST API: cleanup hangs");
    Reply read = call("GET", "/api/runbooks?executionId=" + id, VIEWER, null);
    assertThat(read.body().get("status").asText()).isEqualTo("TERMINATED");
    assertThat(read.body().get("terminatedBy").asText())
        .isEqualTo("terminated by alice via the REST API: cleanup hangs");

    Reply again = call("POST", path, ALICE, "{\"reason\":\"again\"}");
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.body().get("error").asText()).endsWith("is TERMINATED; nothing to terminate");
  }

  @Test
  void aServiceIsAnAdminsToTerminate() throws Exception {
    Reply started =
        call("POST", "/api/runbooks/execute", ADMIN, "{\"workflowType\":\"ServiceLoop\"}");
    String id = started.body().get("executionId").asText();
    Reply byOperator =
        call("POST", "/api/executions/" + id + "/terminate", ALICE, "{\"reason\":\"x\"}");
    assertThat(byOperator.status()).isEqualTo(403);
    assertThat(byOperator.body().get("error").asText())
        .isEqualTo("alice has role operator; terminating ServiceLoop needs role admin or higher");
    assertThat(executions.info(id).orElseThrow().getStatus().name()).endsWith("RUNNING");
    Reply byAdmin =
        call("POST", "/api/executions/" + id + "/terminate", ADMIN, "{\"reason\":\"test over\"}");
    assertThat(byAdmin.status()).isEqualTo(200);
  }

  @Test
  void aFailedRunShowsItsReason() throws Exception {
    Reply failed =
        call(
            "POST",
            "/api/runbooks/execute",
            ALICE,
            "{\"workflowType\":\"GuardedRestart\",\"context\":{\"askAbout\":\"fail\"}}");
    String id = failed.body().get("executionId").asText();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              Reply read = call("GET", "/api/runbooks?executionId=" + id, VIEWER, null);
              assertThat(read.body().get("status").asText()).isEqualTo("FAILED");
              assertThat(read.body().get("failure").asText())
                  .isEqualTo("restart refused by the cluster");
            });
  }

  private static String error(String method, String path, String body) throws Exception {
    Reply reply = call(method, path, method.equals("GET") ? VIEWER : ALICE, body);
    assertThat(reply.status()).as(String.valueOf(reply.body())).isEqualTo(400);
    return reply.body().get("error").asText();
  }

  private static JsonNode inbox() throws Exception {
    Reply reply = call("GET", "/api/approvals", VIEWER, null);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body().get("count").asInt()).isEqualTo(reply.body().get("waiting").size());
    return reply.body().get("waiting");
  }

  private static JsonNode inboxEntry(String id) throws Exception {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> inbox().findValuesAsText("executionId").contains(id));
    return entryOf(inbox(), id);
  }

  private static JsonNode entryOf(JsonNode waiting, String id) {
    for (JsonNode entry : waiting) {
      if (entry.get("executionId").asText().equals(id)) {
        return entry;
      }
    }
    throw new AssertionError(id + " is not in the inbox: " + waiting);
  }
}
