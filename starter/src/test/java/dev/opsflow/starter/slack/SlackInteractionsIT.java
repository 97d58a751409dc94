package dev.opsflow.starter.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.config.Secret;
import dev.opsflow.contracts.human.ApprovalResult;
import dev.opsflow.contracts.human.ApprovalStatus;
import dev.opsflow.contracts.human.HumanTask;
import dev.opsflow.contracts.human.Progress;
import dev.opsflow.starter.GuardedRestart;
import dev.opsflow.workflows.human.ApprovalGate;
import dev.opsflow.workflows.human.SlackBlocks;
import io.javalin.Javalin;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Signed Slack clicks over real HTTP to {@code POST /slack/interactions}, against a Temporal test
 * server running a small supervised workflow with the real {@link ApprovalGate}, and a local server
 * standing in for Slack's {@code response_url}.
 */
class SlackInteractionsIT {
  private static final String QUEUE = "slack-it";
  private static final Secret SIGNING_SECRET = Secret.of("it-signing-secret-0123456789abcdef");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private static TestWorkflowEnvironment env;
  private static WorkflowClient client;
  private static Javalin starter;
  private static Javalin slack;
  private static final Map<String, BlockingQueue<JsonNode>> replies = new ConcurrentHashMap<>();
  private static final SlackSignature signer =
      new SlackSignature(SIGNING_SECRET, System::currentTimeMillis, 1000);

  @BeforeAll
  static void start() {
    env = GuardedRestart.realTimeEnvironment(QUEUE);
    client = env.getWorkflowClient();

    slack =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  cfg.routes.post(
                      "/response/{id}",
                      ctx ->
                          replies
                              .computeIfAbsent(
                                  ctx.pathParam("id"), k -> new LinkedBlockingQueue<>())
                              .add(JSON.readTree(ctx.body())));
                })
            .start("127.0.0.1", 0);
    OpsflowConfig.Slack settings =
        new OpsflowConfig.Slack(Secret.empty(), "", "https://slack.invalid/api/", SIGNING_SECRET);
    starter =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  SlackInteractions.mount(cfg.routes, client, settings);
                })
            .start("127.0.0.1", 0);
  }

  @AfterAll
  static void stop() {
    starter.stop();
    slack.stop();
    env.close();
  }

  private static String startRun(String askAbout, List<String> approvers, int required) {
    return GuardedRestart.start(client, QUEUE, askAbout, approvers, required);
  }

  private static GuardedRestart run(String id) {
    return client.newWorkflowStub(GuardedRestart.class, id);
  }

  /** The form body Slack posts for a button click on a message built by SlackBlocks. */
  private static String clickBody(String workflowId, String action, String username, String reply)
      throws Exception {
    // The message as the run would have posted it (a finished run waits for nothing: a stale one).
    HumanTask task =
        run(workflowId).progress().waitingFor().stream()
            .findFirst()
            .orElse(
                new HumanTask(
                    HumanTask.APPROVAL,
                    "restart demo/orders-consumer",
                    "",
                    "opsflow",
                    List.of(),
                    1,
                    0,
                    0,
                    0,
                    List.of("approve", "reject")));
    Map<String, Object> user = new LinkedHashMap<>();
    user.put("id", "U0" + username.toUpperCase());
    user.put("username", username);
    user.put("name", username);
    user.put("team_id", "T0OPS");
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("type", "block_actions");
    payload.put("user", user);
    payload.put("api_app_id", "A0OPSFLOW");
    payload.put("container", Map.of("type", "message", "message_ts", "1700000000.000100"));
    payload.put("trigger_id", "123.456.abc");
    payload.put("channel", Map.of("id", "C0OPS", "name", "ops"));
    payload.put(
        "message",
        Map.of(
            "type",
            "message",
            "ts",
            "1700000000.000100",
            "text",
            SlackBlocks.requestText(task, workflowId, "orders-consumer is crash-looping"),
            "blocks",
            SlackBlocks.request(
                task, workflowId, "demo/orders-consumer", "orders-consumer is crash-looping")));
    payload.put("response_url", responseUrl(reply));
    payload.put(
        "actions",
        List.of(
            Map.of(
                "action_id",
                action,
                "block_id",
                SlackBlocks.DECISION_BLOCK,
                "value",
                workflowId,
                "type",
                "button",
                "action_ts",
                "1700000001.000200")));
    return "payload=" + URLEncoder.encode(JSON.writeValueAsString(payload), StandardCharsets.UTF_8);
  }

  private static String responseUrl(String reply) {
    return "http://127.0.0.1:" + slack.port() + "/response/" + reply;
  }

  private static HttpResponse<String> post(int port, String body, String timestamp, String sig)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + SlackInteractions.PATH))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (timestamp != null) {
      request.header("X-Slack-Request-Timestamp", timestamp);
    }
    if (sig != null) {
      request.header("X-Slack-Signature", sig);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> signed(String body) throws Exception {
    String ts = Long.toString(System.currentTimeMillis() / 1000);
    return post(starter.port(), body, ts, signer.sign(ts, body.getBytes(StandardCharsets.UTF_8)));
  }

  private static JsonNode reply(String id) throws InterruptedException {
    JsonNode reply =
        replies.computeIfAbsent(id, k -> new LinkedBlockingQueue<>()).poll(10, TimeUnit.SECONDS);
    assertThat(reply).as("a reply posted to response_url " + id).isNotNull();
    return reply;
  }

  private static String blocksText(JsonNode reply) {
    return reply.path("blocks").toString();
  }

  @Test
  void approverClickApprovesTheRunAndReplacesTheMessageWithTheOutcome() throws Exception {
    String id = startRun("approval", List.of("alice", "bob"), 1);

    HttpResponse<String> response = signed(clickBody(id, "approve", "alice", "approve-1"));

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode reply = reply("approve-1");
    assertThat(reply.path("replace_original").asBoolean()).isTrue();
    assertThat(blocksText(reply))
        .contains("Approved by alice (1 of 1)")
        .contains("orders-consumer is crash-looping")
        .doesNotContain("\"actions\"");
    assertThat(run(id).approval().state()).isEqualTo(ApprovalResult.APPROVED);
    assertThat(client.newUntypedWorkflowStub(id).getResult(5, TimeUnit.SECONDS, String.class))
        .isEqualTo("APPROVED");

    // A late click on the finished run's (stale) message is answered to the clicker only.
    assertThat(signed(clickBody(id, "approve", "bob", "approve-late")).statusCode()).isEqualTo(200);
    JsonNode late = reply("approve-late");
    assertThat(late.path("response_type").asText()).isEqualTo("ephemeral");
    assertThat(late.path("text").asText()).contains("not running");
  }

  @Test
  void firstOfTwoApprovalsUpdatesTheRequestAndKeepsTheButtons() throws Exception {
    String id = startRun("approval", List.of("alice", "bob"), 2);

    assertThat(signed(clickBody(id, "approve", "bob", "two-1")).statusCode()).isEqualTo(200);

    JsonNode reply = reply("two-1");
    assertThat(reply.path("replace_original").asBoolean()).isTrue();
    assertThat(blocksText(reply))
        .contains("1 of 2")
        .contains("bob approved")
        .contains(SlackBlocks.DECISION_BLOCK)
        .contains("\"action_id\":\"approve\"");
    assertThat(run(id).approval().state()).isEqualTo(ApprovalResult.PENDING);
    assertThat(run(id).approval().approvals()).isEqualTo(1);
  }

  @Test
  void nonApproverClickIsRefusedToTheClickerOnlyAndTheRunStillWaits() throws Exception {
    String id = startRun("approval", List.of("alice", "bob"), 1);

    assertThat(signed(clickBody(id, "approve", "mallory", "mallory-1")).statusCode())
        .isEqualTo(200);

    JsonNode reply = reply("mallory-1");
    assertThat(reply.path("response_type").asText()).isEqualTo("ephemeral");
    assertThat(reply.path("replace_original").asBoolean(true)).isFalse();
    assertThat(reply.path("text").asText()).contains("mallory is not an approver");
    ApprovalStatus status = run(id).approval();
    assertThat(status.state()).isEqualTo(ApprovalResult.PENDING);
    assertThat(status.approvals()).isZero();
    assertThat(status.decisions())
        .as("an Update refused by its validator leaves no trace")
        .isEmpty();
  }

  @Test
  void rejectByAnApproverClosesTheRequest() throws Exception {
    String id = startRun("approval", List.of("alice", "carol"), 2);

    assertThat(signed(clickBody(id, "reject", "carol", "reject-1")).statusCode()).isEqualTo(200);

    JsonNode reply = reply("reject-1");
    assertThat(reply.path("replace_original").asBoolean()).isTrue();
    assertThat(blocksText(reply)).contains("Rejected by carol");
    assertThat(run(id).approval().state()).isEqualTo(ApprovalResult.REJECTED);
  }

  @Test
  void badSignatureIsRefusedAndNothingIsSignalled() throws Exception {
    String id = startRun("approval", List.of("alice"), 1);
    String body = clickBody(id, "approve", "alice", "forged-1");
    String ts = Long.toString(System.currentTimeMillis() / 1000);
    String forged =
        new SlackSignature(Secret.of("someone-elses-secret"))
            .sign(ts, body.getBytes(StandardCharsets.UTF_8));

    HttpResponse<String> wrong = post(starter.port(), body, ts, forged);
    HttpResponse<String> unsigned = post(starter.port(), body, null, null);
    String old = Long.toString(System.currentTimeMillis() / 1000 - 600);
    HttpResponse<String> stale =
        post(starter.port(), body, old, signer.sign(old, body.getBytes(StandardCharsets.UTF_8)));

    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).contains("does not match");
    assertThat(unsigned.statusCode()).isEqualTo(401);
    assertThat(unsigned.body()).contains("missing");
    assertThat(stale.statusCode()).isEqualTo(401);
    assertThat(stale.body()).contains("stale");
    Thread.sleep(300); // a reply, were one sent, would be on its way by now
    assertThat(replies.get("forged-1")).isNullOrEmpty();
    ApprovalStatus status = run(id).approval();
    assertThat(status.state()).isEqualTo(ApprovalResult.PENDING);
    assertThat(status.decisions()).isEmpty();
  }

  @Test
  void replayedClickIsRefusedAndCountsOnce() throws Exception {
    String id = startRun("approval", List.of("alice", "bob"), 2);
    String body = clickBody(id, "approve", "alice", "replay-1");
    String ts = Long.toString(System.currentTimeMillis() / 1000);
    String sig = signer.sign(ts, body.getBytes(StandardCharsets.UTF_8));

    assertThat(post(starter.port(), body, ts, sig).statusCode()).isEqualTo(200);
    reply("replay-1");
    HttpResponse<String> replay = post(starter.port(), body, ts, sig);

    assertThat(replay.statusCode()).isEqualTo(401);
    assertThat(replay.body()).contains("replayed");
    Thread.sleep(300);
    assertThat(replies.get("replay-1")).isEmpty();
    assertThat(run(id).approval().decisions()).hasSize(1);
  }

  @Test
  void retryStepClickSignalsTheRunWithTheSlackUserAsDecider() throws Exception {
    String id = startRun("failedStep", List.of("alice"), 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> !run(id).progress().waitingFor().isEmpty());

    assertThat(signed(clickBody(id, "retryStep", "dave", "retry-1")).statusCode()).isEqualTo(200);

    JsonNode reply = reply("retry-1");
    assertThat(reply.path("replace_original").asBoolean()).isTrue();
    assertThat(blocksText(reply)).contains("Retry requested by dave");
    Progress progress = run(id).progress();
    assertThat(progress.waitingFor()).isEmpty();
    assertThat(progress.history())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.action()).isEqualTo("retry");
              assertThat(r.success()).isTrue();
              assertThat(r.detail()).startsWith("by dave");
            });
    assertThat(client.newUntypedWorkflowStub(id).getResult(5, TimeUnit.SECONDS, String.class))
        .isEqualTo("RETRY");
  }

  @Test
  void acknowledgeIsSignalledAndKeepsAMessageWhoseRequestStillWaits() throws Exception {
    String id = startRun("failedStep", List.of("alice"), 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> !run(id).progress().waitingFor().isEmpty());

    assertThat(signed(clickBody(id, "acknowledge", "erin", "ack-1")).statusCode()).isEqualTo(200);

    JsonNode reply = reply("ack-1");
    assertThat(reply.path("response_type").asText()).isEqualTo("ephemeral");
    assertThat(reply.path("text").asText()).startsWith("Acknowledged by erin");
    assertThat(run(id).progress().history())
        .singleElement()
        .satisfies(r -> assertThat(r.detail()).isEqualTo("by erin"));
    assertThat(run(id).progress().waitingFor()).hasSize(1);
  }

  @Test
  void skipOnAStepThatCannotBeSkippedIsNotSent() throws Exception {
    String id = startRun("failedStep", List.of("alice"), 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> !run(id).progress().waitingFor().isEmpty());

    assertThat(signed(clickBody(id, "skipStep", "dave", "skip-1")).statusCode()).isEqualTo(200);

    JsonNode reply = reply("skip-1");
    assertThat(reply.path("response_type").asText()).isEqualTo("ephemeral");
    assertThat(reply.path("text").asText()).contains("Nothing on run").contains("skipStep");
    assertThat(run(id).progress().history()).isEmpty();
    assertThat(run(id).progress().waitingFor()).hasSize(1);
  }

  @Test
  void clickOnAnUnknownRunGetsAnEphemeralAnswer() throws Exception {
    String id = startRun("approval", List.of("alice"), 1);
    String body = clickBody(id, "approve", "alice", "unknown-1").replace(id, "no-such-run-" + id);

    assertThat(signed(body).statusCode()).isEqualTo(200);

    JsonNode reply = reply("unknown-1");
    assertThat(reply.path("response_type").asText()).isEqualTo("ephemeral");
    assertThat(reply.path("text").asText()).contains("is not running");
  }

  @Test
  void unparseablePayloadIs400() throws Exception {
    HttpResponse<String> notJson =
        signed("payload=" + URLEncoder.encode("{oops", StandardCharsets.UTF_8));
    HttpResponse<String> noPayload = signed("token=abc");

    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(notJson.body()).contains("not JSON");
    assertThat(noPayload.statusCode()).isEqualTo(400);
    assertThat(noPayload.body()).contains("payload");
  }

  @Test
  void withoutASigningSecretTheEndpointIs503AndNamesTheSetting() throws Exception {
    OpsflowConfig.Slack unsigned =
        new OpsflowConfig.Slack(
            Secret.of("xoxb-token"), "#ops", "https://slack.invalid/api/", Secret.empty());
    Javalin server =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  SlackInteractions.mount(cfg.routes, client, unsigned);
                })
            .start("127.0.0.1", 0);
    try {
      String id = startRun("approval", List.of("alice"), 1);
      HttpResponse<String> response =
          post(server.port(), clickBody(id, "approve", "alice", "off-1"), "1", "v0=00");

      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.body()).contains("SLACK_SIGNING_SECRET").doesNotContain("xoxb");
      assertThat(run(id).approval().decisions()).isEmpty();
    } finally {
      server.stop();
    }
  }
}
