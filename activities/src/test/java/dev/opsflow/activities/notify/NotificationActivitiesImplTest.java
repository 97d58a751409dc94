package dev.opsflow.activities.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.activities.FailureTypes;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.config.Secret;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Against one local HTTP server that answers in the wire formats of Slack's Web API, PagerDuty's
 * Events API v2 and a generic webhook receiver.
 */
class NotificationActivitiesImplTest {
  private static final String TOKEN = "xoxb-1111-2222-s3cr3tT0k3n";
  private static final String ROUTING_KEY = "R0UT1NGKEYs3cr3t000000000000000";
  private static final String WEBHOOK_PATH = "/hooks/T0-s3cr3t-path";
  private static final String SLACK_OK =
      """
      {"ok":true,"channel":"C0OPS","ts":"1714000000.000100","message":{"text":"x"}}
      """;
  private static final String PAGERDUTY_OK =
      """
      {"status":"success","message":"Event processed","dedup_key":"kafka-lag/billing"}
      """;

  private final ObjectMapper json = new ObjectMapper();
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Reply> replies = new ConcurrentHashMap<>();
  private Javalin server;
  private String base;
  private NotificationActivitiesImpl notify;

  private record Recorded(
      String path, Map<String, String> headers, Map<String, List<String>> form, String body) {
    String field(String name) {
      List<String> values = form.get(name);
      return values == null ? null : values.get(0);
    }
  }

  private record Reply(int status, String body, Map<String, String> headers) {
    static Reply ok(String body) {
      return new Reply(200, body, Map.of());
    }
  }

  @BeforeEach
  void startServer() {
    server =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  cfg.routes.post("/api/chat.postMessage", this::answer);
                  cfg.routes.post("/api/chat.update", this::answer);
                  cfg.routes.post("/v2/enqueue", this::answer);
                  cfg.routes.post(WEBHOOK_PATH, this::answer);
                })
            .start("127.0.0.1", 0);
    base = "http://127.0.0.1:" + server.port();
    replies.put("/api/chat.postMessage", Reply.ok(SLACK_OK));
    replies.put("/api/chat.update", Reply.ok(SLACK_OK));
    replies.put("/v2/enqueue", new Reply(202, PAGERDUTY_OK, Map.of()));
    replies.put(WEBHOOK_PATH, new Reply(204, "", Map.of()));
    notify = notifier(base, TOKEN, "#ops", ROUTING_KEY, base + WEBHOOK_PATH);
  }

  @AfterEach
  void stopServer() {
    server.stop();
  }

  private void answer(Context ctx) {
    boolean form =
        String.valueOf(ctx.contentType()).startsWith("application/x-www-form-urlencoded");
    requests.add(
        new Recorded(
            ctx.path(),
            Map.copyOf(ctx.headerMap()),
            form ? ctx.formParamMap() : Map.of(),
            ctx.body()));
    Reply reply = replies.get(ctx.path());
    reply.headers().forEach(ctx::header);
    ctx.status(reply.status()).contentType("application/json").result(reply.body());
  }

  private static NotificationActivitiesImpl notifier(
      String base, String token, String channel, String routingKey, String webhookUrl) {
    return new NotificationActivitiesImpl(
        new OpsflowConfig.Slack(Secret.of(token), channel, base + "/api/", Secret.empty()),
        new OpsflowConfig.PagerDuty(Secret.of(routingKey), base + "/v2/enqueue"),
        new OpsflowConfig.Webhook(webhookUrl),
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build());
  }

  // --- Slack ---

  @Test
  void postsTextBlocksAndActionIdToTheConfiguredChannelWithTheBearerToken() throws Exception {
    List<Map<String, Object>> blocks =
        List.of(
            Map.of(
                "type", "section", "text", Map.of("type", "mrkdwn", "text", "*Scaling* billing")),
            Map.of("type", "divider"));

    SlackPosted posted =
        notify.postSlack(new SlackMessage("act-1", null, "Scaling billing to 4", blocks, null));

    assertThat(posted).isEqualTo(new SlackPosted("C0OPS", "1714000000.000100", false));
    assertThat(requests).hasSize(1);
    Recorded call = requests.get(0);
    assertThat(call.path()).isEqualTo("/api/chat.postMessage");
    assertThat(call.headers()).containsEntry("Authorization", "Bearer " + TOKEN);
    assertThat(call.field("channel")).isEqualTo("#ops");
    assertThat(call.field("text")).isEqualTo("Scaling billing to 4");
    assertThat(call.field("thread_ts")).isNull();
    assertThat(json.readTree(call.field("blocks"))).isEqualTo(json.valueToTree(blocks));
    JsonNode metadata = json.readTree(call.field("metadata"));
    assertThat(metadata.path("event_type").asText())
        .isEqualTo(NotificationActivitiesImpl.SLACK_METADATA_EVENT);
    assertThat(metadata.path("event_payload").path("action_id").asText()).isEqualTo("act-1");
    assertThat(call.field("token")).as("the token travels only in the header").isNull();
  }

  @Test
  void explicitChannelAndThreadOverrideTheDefault() {
    notify.postSlack(new SlackMessage("act-2", "C0OTHER", "reply", null, "1714000000.000100"));

    Recorded call = requests.get(0);
    assertThat(call.field("channel")).isEqualTo("C0OTHER");
    assertThat(call.field("thread_ts")).isEqualTo("1714000000.000100");
    assertThat(call.field("blocks")).isNull();
  }

  @Test
  void textWithFormSeparatorsAndNonAsciiArrivesUnchanged() {
    String text = "lag 50% & rising: a=b+c ✓ «billing»\nsecond line";

    notify.postSlack(SlackMessage.text("act-enc", text));

    assertThat(requests.get(0).field("text")).isEqualTo(text);
    assertThat(requests.get(0).field("channel")).isEqualTo("#ops");
  }

  @Test
  void anAnswerThatIsNotJsonIsARetryableServiceErrorWithoutTheToken() {
    replies.put("/api/chat.postMessage", Reply.ok("<html>proxy says hi " + TOKEN + "</html>"));

    ApplicationFailure failure =
        assertFailure(
            () -> notify.postSlack(SlackMessage.text("act-html", "x")),
            NotificationActivitiesImpl.SERVICE_ERROR,
            false);

    assertThat(failure.getOriginalMessage()).contains("proxy says hi").doesNotContain(TOKEN);
  }

  @Test
  void theSameActionIdPostsOnceAndReportsTheEarlierMessage() {
    SlackPosted first = notify.postSlack(SlackMessage.text("act-3", "hello"));
    SlackPosted second = notify.postSlack(SlackMessage.text("act-3", "hello"));
    notify.postSlack(SlackMessage.text("act-4", "hello"));

    assertThat(first.alreadyPosted()).isFalse();
    assertThat(second).isEqualTo(new SlackPosted(first.channel(), first.ts(), true));
    assertThat(requests).hasSize(2);
  }

  @Test
  void updateReplacesTextAndBlocksOfTheGivenMessage() throws Exception {
    List<Map<String, Object>> blocks =
        List.of(Map.of("type", "section", "text", Map.of("type", "mrkdwn", "text", "Approved")));

    SlackPosted updated =
        notify.updateSlack(
            new SlackUpdate("C0OPS", "1714000000.000100", "Approved by ana", blocks));
    notify.updateSlack(new SlackUpdate("C0OPS", "1714000000.000100", "Rejected", null));

    assertThat(updated.ts()).isEqualTo("1714000000.000100");
    assertThat(requests).extracting(Recorded::path).containsOnly("/api/chat.update");
    Recorded first = requests.get(0);
    assertThat(first.headers()).containsEntry("Authorization", "Bearer " + TOKEN);
    assertThat(first.field("channel")).isEqualTo("C0OPS");
    assertThat(first.field("ts")).isEqualTo("1714000000.000100");
    assertThat(first.field("text")).isEqualTo("Approved by ana");
    assertThat(json.readTree(first.field("blocks"))).isEqualTo(json.valueToTree(blocks));
    assertThat(requests.get(1).field("blocks")).as("no blocks removes the buttons").isEqualTo("[]");
  }

  @Test
  void slackErrorsAreClassifiedAndNeverCarryTheToken() {
    ListAppender<ILoggingEvent> logs = captureLogs();
    try {
      for (String error : List.of("invalid_auth", "not_authed")) {
        replies.put(
            "/api/chat.postMessage", Reply.ok("{\"ok\":false,\"error\":\"" + error + "\"}"));
        ApplicationFailure failure =
            assertFailure(
                () -> notify.postSlack(SlackMessage.text("a-" + error, "x")),
                FailureTypes.PERMISSION_DENIED,
                true);
        assertThat(failure.getOriginalMessage()).contains(error).doesNotContain(TOKEN);
        assertThat(failure.toString()).doesNotContain(TOKEN);
      }
      replies.put(
          "/api/chat.postMessage",
          Reply.ok(
              "{\"ok\":false,\"error\":\"missing_scope\",\"needed\":\"chat:write\",\"provided\":\"channels:read\"}"));
      ApplicationFailure scope =
          assertFailure(
              () -> notify.postSlack(SlackMessage.text("a-scope", "x")),
              FailureTypes.PERMISSION_DENIED,
              true);
      assertThat(scope.getOriginalMessage()).contains("missing_scope").contains("chat:write");

      replies.put(
          "/api/chat.postMessage", Reply.ok("{\"ok\":false,\"error\":\"channel_not_found\"}"));
      assertFailure(
          () -> notify.postSlack(SlackMessage.text("a-channel", "x")),
          FailureTypes.NOT_FOUND,
          true);

      replies.put("/api/chat.postMessage", Reply.ok("{\"ok\":false,\"error\":\"invalid_blocks\"}"));
      assertFailure(
          () -> notify.postSlack(SlackMessage.text("a-blocks", "x")),
          FailureTypes.INVALID_INPUT,
          true);

      replies.put("/api/chat.postMessage", Reply.ok("{\"ok\":false,\"error\":\"ratelimited\"}"));
      assertFailure(
          () -> notify.postSlack(SlackMessage.text("a-rate", "x")),
          NotificationActivitiesImpl.RATE_LIMITED,
          false);

      replies.put(
          "/api/chat.postMessage",
          new Reply(429, "{\"ok\":false,\"error\":\"ratelimited\"}", Map.of("Retry-After", "7")));
      ApplicationFailure http429 =
          assertFailure(
              () -> notify.postSlack(SlackMessage.text("a-429", "x")),
              NotificationActivitiesImpl.RATE_LIMITED,
              false);
      assertThat(http429.getNextRetryDelay()).isEqualTo(Duration.ofSeconds(7));
      assertThat(http429.toString()).doesNotContain(TOKEN);

      replies.put("/api/chat.postMessage", new Reply(503, "upstream down", Map.of()));
      assertFailure(
          () -> notify.postSlack(SlackMessage.text("a-503", "x")),
          NotificationActivitiesImpl.UNAVAILABLE,
          false);

      assertThat(requests)
          .hasSize(8)
          .allSatisfy(
              r -> assertThat(r.headers()).containsEntry("Authorization", "Bearer " + TOKEN));
      // The fake Slack server's own Jetty logs the request headers it received; everything on
      // the client side (our code, which logs each Web API answer at DEBUG) must not.
      List<ILoggingEvent> clientLogs =
          releaseLogs(logs).stream()
              .filter(e -> !e.getLoggerName().startsWith("org.eclipse.jetty"))
              .filter(e -> !e.getLoggerName().startsWith("io.javalin"))
              .toList();
      assertThat(clientLogs)
          .extracting(ILoggingEvent::getLoggerName)
          .contains(NotificationActivitiesImpl.class.getName());
      assertThat(clientLogs)
          .allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(TOKEN));
    } finally {
      releaseLogs(logs);
    }
  }

  @Test
  void slackWithoutTokenOrChannelIsNotConfiguredAndSendsNothing() throws Exception {
    NotificationActivitiesImpl noToken = notifier(base, "", "#ops", "", "");
    NotificationActivitiesImpl noChannel = notifier(base, TOKEN, "", "", "");
    ApplicationFailure token =
        assertFailure(
            () -> noToken.postSlack(SlackMessage.text("a", "x")),
            FailureTypes.NOT_CONFIGURED,
            true);
    assertThat(token.getOriginalMessage()).contains("SLACK_TOKEN");
    assertFailure(
        () -> noToken.updateSlack(new SlackUpdate("C0OPS", "1.2", "x", null)),
        FailureTypes.NOT_CONFIGURED,
        true);
    ApplicationFailure channel =
        assertFailure(
            () -> noChannel.postSlack(SlackMessage.text("a", "x")),
            FailureTypes.NOT_CONFIGURED,
            true);
    assertThat(channel.getOriginalMessage()).contains("slack.channel").contains("SLACK_CHANNEL");
    assertThat(requests).isEmpty();
  }

  @Test
  void unreachableSlackIsRetryable() throws Exception {
    NotificationActivitiesImpl unreachable =
        notifier(
            "http://127.0.0.1:" + closedPort(), TOKEN, "#ops", ROUTING_KEY, base + WEBHOOK_PATH);
    ApplicationFailure failure =
        assertFailure(
            () -> unreachable.postSlack(SlackMessage.text("a", "x")),
            NotificationActivitiesImpl.UNAVAILABLE,
            false);
    assertThat(failure.getOriginalMessage()).contains("cannot connect").doesNotContain(TOKEN);
  }

  @Test
  void missingActionIdOrTextIsInvalidInput() {
    assertFailure(
        () -> notify.postSlack(SlackMessage.text(null, "x")), FailureTypes.INVALID_INPUT, true);
    assertFailure(
        () -> notify.postSlack(SlackMessage.text("a", " ")), FailureTypes.INVALID_INPUT, true);
    assertThat(requests).isEmpty();
  }

  // --- PagerDuty ---

  @Test
  void triggerAndResolveCarryTheSameDedupKeyAndTheRoutingKey() throws Exception {
    PagerDutyResult triggered =
        notify.pagerDuty(
            PagerDutyEvent.trigger(
                "kafka-lag/billing",
                "billing lag 19000 above 15000 and consumers at max",
                "critical",
                "kafka/billing",
                Map.of("lag", 19000, "maxReplicas", 10)));
    PagerDutyResult resolved = notify.pagerDuty(PagerDutyEvent.resolve("kafka-lag/billing"));

    assertThat(triggered).isEqualTo(new PagerDutyResult("success", "kafka-lag/billing"));
    assertThat(resolved.dedupKey()).isEqualTo("kafka-lag/billing");
    assertThat(requests).hasSize(2);
    assertThat(requests.get(0).headers()).containsEntry("Content-Type", "application/json");
    JsonNode trigger = json.readTree(requests.get(0).body());
    assertThat(trigger.path("routing_key").asText()).isEqualTo(ROUTING_KEY);
    assertThat(trigger.path("event_action").asText()).isEqualTo("trigger");
    assertThat(trigger.path("dedup_key").asText()).isEqualTo("kafka-lag/billing");
    JsonNode payload = trigger.path("payload");
    assertThat(payload.path("summary").asText())
        .isEqualTo("billing lag 19000 above 15000 and consumers at max");
    assertThat(payload.path("source").asText()).isEqualTo("kafka/billing");
    assertThat(payload.path("severity").asText()).isEqualTo("critical");
    assertThat(payload.path("custom_details").path("lag").asInt()).isEqualTo(19000);
    JsonNode resolve = json.readTree(requests.get(1).body());
    assertThat(resolve.path("event_action").asText()).isEqualTo("resolve");
    assertThat(resolve.path("dedup_key").asText()).isEqualTo("kafka-lag/billing");
    assertThat(resolve.path("routing_key").asText()).isEqualTo(ROUTING_KEY);
    assertThat(resolve.has("payload")).isFalse();
  }

  @Test
  void rejectedEventIsInvalidInputWithPagerDutysReasonButNotTheRoutingKey() {
    replies.put(
        "/v2/enqueue",
        new Reply(
            400,
            "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\",\"errors\":[\"'payload.source' is missing or blank\"]}",
            Map.of()));

    ApplicationFailure failure =
        assertFailure(
            () -> notify.pagerDuty(PagerDutyEvent.trigger("k", "summary", "error", "src", null)),
            FailureTypes.INVALID_INPUT,
            true);

    assertThat(failure.getOriginalMessage())
        .contains("Event object is invalid")
        .contains("payload.source")
        .doesNotContain(ROUTING_KEY);
  }

  @Test
  void throttlingAndServerErrorsAreRetryable() {
    replies.put("/v2/enqueue", new Reply(429, "", Map.of()));
    assertFailure(
        () -> notify.pagerDuty(PagerDutyEvent.resolve("k")),
        NotificationActivitiesImpl.RATE_LIMITED,
        false);
    replies.put("/v2/enqueue", new Reply(500, "oops", Map.of()));
    assertFailure(
        () -> notify.pagerDuty(PagerDutyEvent.resolve("k")),
        NotificationActivitiesImpl.UNAVAILABLE,
        false);
  }

  @Test
  void pagerDutyInputIsCheckedBeforeSending() {
    assertFailure(
        () -> notify.pagerDuty(PagerDutyEvent.trigger(" ", "s", "critical", "src", null)),
        FailureTypes.INVALID_INPUT,
        true);
    assertFailure(
        () -> notify.pagerDuty(PagerDutyEvent.trigger("k", "s", "urgent", "src", null)),
        FailureTypes.INVALID_INPUT,
        true);
    assertFailure(
        () -> notify.pagerDuty(new PagerDutyEvent("escalate", "k", null, null, null, null)),
        FailureTypes.INVALID_INPUT,
        true);
    assertFailure(
        () -> notify.pagerDuty(PagerDutyEvent.resolve("k".repeat(256))),
        FailureTypes.INVALID_INPUT,
        true);
    assertThat(requests).isEmpty();
  }

  @Test
  void pagerDutyWithoutRoutingKeyIsNotConfigured() throws Exception {
    NotificationActivitiesImpl unconfigured = notifier(base, TOKEN, "#ops", "", "");
    ApplicationFailure failure =
        assertFailure(
            () -> unconfigured.pagerDuty(PagerDutyEvent.resolve("k")),
            FailureTypes.NOT_CONFIGURED,
            true);
    assertThat(failure.getOriginalMessage()).contains("PAGERDUTY_ROUTING_KEY");
    assertThat(requests).isEmpty();
  }

  // --- webhook ---

  @Test
  void webhookPostsTheEventAsJsonWithTheActionIdAsIdempotencyKey() throws Exception {
    WebhookDelivered delivered =
        notify.webhook(
            new WebhookEvent(
                "act-9", "consumers-scaled", "billing scaled 2 -> 4", Map.of("from", 2, "to", 4)));

    assertThat(delivered.statusCode()).isEqualTo(204);
    assertThat(requests).hasSize(1);
    Recorded call = requests.get(0);
    assertThat(call.path()).isEqualTo(WEBHOOK_PATH);
    assertThat(call.headers())
        .containsEntry("Idempotency-Key", "act-9")
        .containsEntry("Content-Type", "application/json");
    JsonNode body = json.readTree(call.body());
    assertThat(body.path("actionId").asText()).isEqualTo("act-9");
    assertThat(body.path("event").asText()).isEqualTo("consumers-scaled");
    assertThat(body.path("summary").asText()).isEqualTo("billing scaled 2 -> 4");
    assertThat(body.path("details").path("to").asInt()).isEqualTo(4);
  }

  @Test
  void webhookRefusalsAreFinalAndOutagesRetryableWithoutShowingTheUrlPath() {
    WebhookEvent event = new WebhookEvent("act-10", "e", "s", null);
    replies.put(WEBHOOK_PATH, new Reply(403, "forbidden", Map.of()));
    ApplicationFailure denied =
        assertFailure(() -> notify.webhook(event), FailureTypes.PERMISSION_DENIED, true);
    assertThat(denied.getOriginalMessage()).contains("127.0.0.1").doesNotContain("s3cr3t");

    replies.put(WEBHOOK_PATH, new Reply(422, "bad event", Map.of()));
    assertFailure(() -> notify.webhook(event), FailureTypes.INVALID_INPUT, true);

    replies.put(WEBHOOK_PATH, new Reply(503, "", Map.of()));
    assertFailure(() -> notify.webhook(event), NotificationActivitiesImpl.UNAVAILABLE, false);
    assertThat(requests)
        .hasSize(3)
        .allSatisfy(r -> assertThat(r.headers()).containsEntry("Idempotency-Key", "act-10"));
  }

  @Test
  void webhookToAClosedPortIsRetryableAndWithoutUrlNotConfigured() throws Exception {
    NotificationActivitiesImpl closed =
        notifier(base, TOKEN, "#ops", ROUTING_KEY, "http://127.0.0.1:" + closedPort() + "/h");
    NotificationActivitiesImpl unconfigured = notifier(base, TOKEN, "#ops", ROUTING_KEY, "");
    WebhookEvent event = new WebhookEvent("act-11", "e", "s", null);
    assertFailure(() -> closed.webhook(event), NotificationActivitiesImpl.UNAVAILABLE, false);
    ApplicationFailure failure =
        assertFailure(() -> unconfigured.webhook(event), FailureTypes.NOT_CONFIGURED, true);
    assertThat(failure.getOriginalMessage()).contains("WEBHOOK_URL");
  }

  // --- through Temporal ---

  @Test
  void throughTemporalAPostSucceedsAndNotConfiguredArrivesAsItsType() throws Exception {
    TestActivityEnvironment env = TestActivityEnvironment.newInstance();
    try {
      env.registerActivitiesImplementations(notifier(base, TOKEN, "#ops", "", ""));
      NotificationActivities stub =
          env.newActivityStub(NotificationActivities.class, NotificationOptions.NOTIFY);

      SlackPosted posted =
          stub.postSlack(
              new SlackMessage("act-t", null, "hi", List.of(Map.of("type", "divider")), null));
      assertThat(posted.ts()).isEqualTo("1714000000.000100");

      ActivityFailure failure =
          catchThrowableOfType(
              ActivityFailure.class, () -> stub.pagerDuty(PagerDutyEvent.resolve("k")));
      assertThat(failure.getCause()).isInstanceOf(ApplicationFailure.class);
      ApplicationFailure cause = (ApplicationFailure) failure.getCause();
      assertThat(cause.getType()).isEqualTo(FailureTypes.NOT_CONFIGURED);
      assertThat(cause.isNonRetryable()).isTrue();
      assertThat(requests).hasSize(1);
    } finally {
      env.close();
    }
  }

  @Test
  void optionsNeverRetryFinalFailuresAndPagesOutlastChatMessages() {
    for (var options : List.of(NotificationOptions.NOTIFY, NotificationOptions.PAGE)) {
      assertThat(options.getRetryOptions().getDoNotRetry())
          .containsExactlyInAnyOrderElementsOf(FailureTypes.NON_RETRYABLE);
      assertThat(options.getStartToCloseTimeout())
          .isGreaterThan(NotificationActivitiesImpl.REQUEST_TIMEOUT);
    }
    assertThat(NotificationOptions.PAGE.getScheduleToCloseTimeout())
        .isGreaterThan(NotificationOptions.NOTIFY.getScheduleToCloseTimeout());
  }

  private static ApplicationFailure assertFailure(
      Runnable call, String type, boolean nonRetryable) {
    ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class, call::run);
    assertThat(failure).as("expected an ApplicationFailure of type " + type).isNotNull();
    assertThat(failure.getType()).isEqualTo(type);
    assertThat(failure.isNonRetryable()).isEqualTo(nonRetryable);
    return failure;
  }

  private static final List<String> FAKE_SERVER_LOGGERS =
      List.of("org.eclipse.jetty", "io.javalin");
  private static ch.qos.logback.classic.Level levelBeforeCapture;
  private static ch.qos.logback.classic.Level opsflowLevelBeforeCapture;

  /** Captures everything logged, at DEBUG (whatever logback-test.xml says), until released. */
  private static ListAppender<ILoggingEvent> captureLogs() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    levelBeforeCapture = root.getLevel();
    root.setLevel(ch.qos.logback.classic.Level.DEBUG);
    // logback-test.xml holds our own code at INFO; the Web API answers are logged at DEBUG.
    Logger opsflow = (Logger) LoggerFactory.getLogger("dev.opsflow");
    opsflowLevelBeforeCapture = opsflow.getLevel();
    opsflow.setLevel(ch.qos.logback.classic.Level.DEBUG);
    // The fake Slack server (Jetty under Javalin) is not the client under test and its events are
    // left out of the assertions; at DEBUG it printed some 1,400 lines into every build's output.
    for (String server : FAKE_SERVER_LOGGERS) {
      ((Logger) LoggerFactory.getLogger(server)).setLevel(ch.qos.logback.classic.Level.INFO);
    }
    root.addAppender(appender);
    return appender;
  }

  /** Stops capturing and returns what was logged (Jetty threads may still be logging). */
  private static List<ILoggingEvent> releaseLogs(ListAppender<ILoggingEvent> appender) {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAppender(appender);
    ((Logger) LoggerFactory.getLogger("dev.opsflow")).setLevel(opsflowLevelBeforeCapture);
    for (String server : FAKE_SERVER_LOGGERS) {
      ((Logger) LoggerFactory.getLogger(server)).setLevel(null);
    }
    if (levelBeforeCapture != null) {
      root.setLevel(levelBeforeCapture);
    }
    synchronized (appender) {
      appender.stop();
      return List.copyOf(appender.list);
    }
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
