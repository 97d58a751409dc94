package dev.opsflow.starter.slack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.contracts.human.ApprovalResult;
import dev.opsflow.contracts.human.ApprovalStatus;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.HumanTask;
import dev.opsflow.contracts.human.OperatorNames;
import dev.opsflow.contracts.human.Progress;
import dev.opsflow.contracts.human.Refusal;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.starter.api.Executions;
import dev.opsflow.starter.http.RequestBody;
import dev.opsflow.workflows.human.SlackBlocks;
import io.grpc.StatusRuntimeException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowServiceException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /slack/interactions}: the Slack app's Interactivity request URL. A click on a button
 * built by {@link SlackBlocks} (action_id = the operator command, value = the workflow ID) becomes
 * that command on that run, decided by the clicking Slack user: approve and reject through the
 * Update, so a refusal (not an approver, four-eyes, already decided) comes back at once; retryStep,
 * skipStep, failStep and acknowledge through the signal. Whether a decision counts is the
 * workflow's call, never this handler's.
 *
 * <p>Every request must carry Slack's signature ({@link SlackSignature}); without a configured
 * signing secret the endpoint answers 503 and signals nothing. Slack wants an answer within three
 * seconds, so the handler verifies and parses, answers 200, and then sends the command and tells
 * the clicker the outcome through the payload's {@code response_url}: the message is replaced by
 * the outcome when the decision closed the request, by the updated request ("1 of 2") when it still
 * waits, and a refusal goes only to the clicker (ephemeral).
 */
public final class SlackInteractions {
  public static final String PATH = "/slack/interactions";

  private static final Logger log = LoggerFactory.getLogger(SlackInteractions.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> BY_UPDATE = Set.of(OperatorNames.APPROVE, OperatorNames.REJECT);
  private static final Set<String> BY_SIGNAL =
      Set.of(
          OperatorNames.RETRY_STEP,
          OperatorNames.SKIP_STEP,
          OperatorNames.FAIL_STEP,
          OperatorNames.ACKNOWLEDGE);
  private static final Duration SIGNAL_TAKEN_WAIT = Duration.ofSeconds(3);

  /**
   * Largest interaction body read. Slack's payload carries the whole message (at most 50 blocks),
   * far below this; the signature covers the body, so it must be read before it can be checked.
   */
  static final long MAX_BODY = 512 * 1024;

  /**
   * Unauthenticated bodies read at once: beyond it 503 before reading, so a slow flood is cheap.
   */
  static final int CONCURRENT_READS = 16;

  /** A click carries the one action pressed; more is not a click from Slack. */
  static final int MAX_ACTIONS = 10;

  /** Longest action_id taken; opsflow's are operator command names. */
  static final int MAX_ACTION_ID = 64;

  private final WorkflowClient client;
  private final SlackSignature signature;
  private final HttpClient http;
  private final ExecutorService work;
  private final RequestBody body;

  /**
   * @param signature verifies requests; null when no signing secret is configured (then every
   *     request is answered 503)
   * @param work runs the commands after Slack has had its answer
   */
  public SlackInteractions(
      WorkflowClient client, SlackSignature signature, HttpClient http, ExecutorService work) {
    this(client, signature, http, work, OpsflowConfig.defaults().http().bodyTimeout());
  }

  /**
   * @param bodyTimeout longest an interaction body may take to arrive
   */
  public SlackInteractions(
      WorkflowClient client,
      SlackSignature signature,
      HttpClient http,
      ExecutorService work,
      Duration bodyTimeout) {
    this.client = client;
    this.signature = signature;
    this.http = http;
    this.work = work;
    this.body = new RequestBody(MAX_BODY, bodyTimeout, CONCURRENT_READS);
  }

  /** The handler for the configured Slack app (real clock, a small pool of daemon threads). */
  public static SlackInteractions fromConfig(
      WorkflowClient client, OpsflowConfig.Slack slack, OpsflowConfig.Http limits) {
    SlackSignature signature =
        slack.signingSecret().isPresent() ? new SlackSignature(slack.signingSecret()) : null;
    AtomicInteger threads = new AtomicInteger();
    // Bounded: a flood of clicks is refused with 503 rather than queued without limit.
    ThreadPoolExecutor work =
        new ThreadPoolExecutor(
            4,
            4,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(200),
            r -> {
              Thread t = new Thread(r, "slack-interaction-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return new SlackInteractions(client, signature, http, work, limits.bodyTimeout());
  }

  /** Mounts {@code POST /slack/interactions} with the default HTTP limits. */
  public static void mount(RoutesConfig routes, WorkflowClient client, OpsflowConfig.Slack slack) {
    mount(routes, client, slack, OpsflowConfig.defaults().http());
  }

  /** Mounts {@code POST /slack/interactions} on the starter's HTTP server. */
  public static void mount(
      RoutesConfig routes,
      WorkflowClient client,
      OpsflowConfig.Slack slack,
      OpsflowConfig.Http limits) {
    routes.post(PATH, fromConfig(client, slack, limits)::handle);
  }

  public void handle(Context ctx) {
    if (signature == null) {
      reject(
          ctx,
          HttpStatus.SERVICE_UNAVAILABLE,
          "Slack interactions are off: set SLACK_SIGNING_SECRET (or slack.signingSecretFile) to"
              + " the Slack app's signing secret; unsigned requests are never accepted");
      return;
    }
    // Slack signs the body, so it must be read first: within a size, a time and a concurrency
    // bound, after the cheap checks that need no body.
    byte[] raw;
    try {
      RequestBody.requireMediaType(ctx, "application/x-www-form-urlencoded");
      raw = body.bytes(ctx);
    } catch (RequestBody.Refused e) {
      reject(ctx, HttpStatus.forStatus(e.status()), e.getMessage());
      return;
    }
    String refusal =
        signature.refusal(
            ctx.header("X-Slack-Request-Timestamp"), ctx.header("X-Slack-Signature"), raw);
    if (refusal != null) {
      log.warn("Refused a request to {} from {}: {}", PATH, ctx.ip(), refusal);
      reject(ctx, HttpStatus.UNAUTHORIZED, refusal);
      return;
    }
    Interaction interaction;
    try {
      interaction = parse(new String(raw, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      reject(ctx, HttpStatus.BAD_REQUEST, e.getMessage());
      return;
    }
    if (interaction == null) {
      ctx.status(HttpStatus.OK); // not a button click (e.g. a modal): nothing opsflow answers
      return;
    }
    try {
      // One task for the whole interaction: it is taken whole or refused whole, never half done.
      work.execute(() -> interaction.clicks().forEach(this::answer));
    } catch (RejectedExecutionException e) {
      log.warn("Too many Slack clicks in flight; refused one by {}", interaction.by());
      reject(ctx, HttpStatus.SERVICE_UNAVAILABLE, "busy; click again in a moment");
      return;
    }
    ctx.status(HttpStatus.OK);
  }

  /** One button click: which command, on which run, by whom, and where to tell them. */
  record Click(String action, String workflowId, String by, String responseUrl, String summary) {}

  /** A parsed {@code block_actions} payload. */
  record Interaction(String by, List<Click> clicks) {}

  /** The block_actions payload's clicks; null for other payload types; bad input throws. */
  static Interaction parse(String formBody) {
    String payload = null;
    for (String pair : formBody.split("&")) {
      if (pair.startsWith("payload=")) {
        payload = URLDecoder.decode(pair.substring("payload=".length()), StandardCharsets.UTF_8);
      }
    }
    if (payload == null || payload.isBlank()) {
      throw new IllegalArgumentException("expected a form field 'payload' holding Slack's JSON");
    }
    JsonNode root;
    try {
      root = JSON.readTree(payload);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("payload is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("payload is not a JSON object");
    }
    if (!"block_actions".equals(root.path("type").asText())) {
      return null;
    }
    JsonNode user = root.path("user");
    String by = firstNonBlank(text(user, "username"), text(user, "name"), text(user, "id"));
    if (by == null) {
      throw new IllegalArgumentException("payload.user has no username, name or id");
    }
    String responseUrl = text(root, "response_url");
    if (responseUrl == null || !(responseUrl.startsWith("https://") || isLocal(responseUrl))) {
      throw new IllegalArgumentException("payload.response_url is missing or not https");
    }
    JsonNode actions = root.path("actions");
    if (!actions.isArray() || actions.isEmpty()) {
      throw new IllegalArgumentException("payload.actions is missing or empty");
    }
    if (actions.size() > MAX_ACTIONS) {
      throw new IllegalArgumentException(
          "payload.actions: "
              + actions.size()
              + " actions; a click carries one (at most "
              + MAX_ACTIONS
              + " are taken)");
    }
    String summary = null;
    JsonNode blocks = root.path("message").path("blocks");
    if (blocks.isArray()) {
      try {
        summary =
            SlackBlocks.summaryOf(
                JSON.convertValue(blocks, new TypeReference<List<Map<String, Object>>>() {}));
      } catch (RuntimeException unexpectedShape) {
        // The summary only decorates the reply; a message of another shape goes without it.
        summary = null;
      }
    }
    List<Click> clicks = new ArrayList<>();
    for (JsonNode action : actions) {
      String id = Objects.requireNonNullElse(text(action, "action_id"), "");
      String value = Objects.requireNonNullElse(text(action, "value"), "");
      if (id.length() > MAX_ACTION_ID || value.length() > RemediationRequest.MAX_WORKFLOW_ID) {
        throw new IllegalArgumentException(
            "payload.actions[].action_id or value is longer than an opsflow button's (at most "
                + MAX_ACTION_ID
                + " and "
                + RemediationRequest.MAX_WORKFLOW_ID
                + " characters)");
      }
      clicks.add(new Click(id, value, by, responseUrl, summary));
    }
    return new Interaction(by, clicks);
  }

  /** Sends the click's command and tells the clicker how it went. Runs after Slack got its 200. */
  void answer(Click click) {
    log.info(
        "Slack click: {} pressed {} on run {}", click.by(), click.action(), click.workflowId());
    Map<String, Object> reply;
    try {
      reply = command(click);
    } catch (WorkflowNotFoundException e) {
      log.info(
          "Slack {} by {}: run {} is not running", click.action(), click.by(), click.workflowId());
      reply = ephemeral("Run " + click.workflowId() + " is not running (finished, or unknown).");
    } catch (WorkflowServiceException | StatusRuntimeException e) {
      log.warn(
          "Temporal unavailable for a Slack click on {}: {}", click.workflowId(), e.toString());
      reply = ephemeral("Temporal is unavailable; nothing was sent. Click again in a moment.");
    } catch (RuntimeException e) {
      log.error("Slack click {} on {} failed", click.action(), click.workflowId(), e);
      reply =
          ephemeral(
              "opsflow could not send "
                  + click.action()
                  + " to "
                  + click.workflowId()
                  + " (internal error: "
                  + e.getClass().getSimpleName()
                  + ").");
    }
    respond(click, reply);
  }

  private Map<String, Object> command(Click click) {
    if (click.workflowId().isBlank()) {
      return ephemeral("This button names no run; it was not built by opsflow.");
    }
    Decision decision = new Decision(click.by(), "");
    WorkflowStub run = client.newUntypedWorkflowStub(click.workflowId());
    if (BY_UPDATE.contains(click.action())) {
      return decide(click, run, decision);
    }
    if (BY_SIGNAL.contains(click.action())) {
      return answerBySignal(click, run, decision);
    }
    if (Executions.ROLLOUT_COMMANDS.contains(click.action())) {
      return steer(click, run, decision);
    }
    return ephemeral("opsflow does not know the button '" + click.action() + "'.");
  }

  /**
   * A rollout command (promote, abort, ...) through its Update: a refusal ("not paused", "already
   * rolled back") goes to the clicker only; a command that counted replaces the question with what
   * the rollout does now.
   */
  private Map<String, Object> steer(Click click, WorkflowStub run, Decision decision) {
    JsonNode status;
    try {
      status = run.update(click.action(), JsonNode.class, decision);
    } catch (WorkflowUpdateException e) {
      return refused(click, e);
    }
    log.info(
        "Slack {} by {} on {} counted: {}",
        click.action(),
        click.by(),
        click.workflowId(),
        status.path("phase").asText());
    String text =
        SlackBlocks.label(click.action())
            + " by "
            + click.by()
            + " on "
            + click.workflowId()
            + " counted; when taken: "
            + status.path("phase").asText()
            + ", step "
            + status.path("step").asInt()
            + "/"
            + status.path("steps").asInt()
            + ", new version at "
            + status.path("canaryWeight").asInt()
            + "%";
    Optional<Progress> progress = progress(run);
    return replacement(
        text,
        SlackBlocks.outcome(
            click.workflowId(),
            progress.map(Progress::target).orElse(""),
            summary(click, progress),
            text));
  }

  /** A refusal by the run's Update validator: logged, and told to the clicker only. */
  private static Map<String, Object> refused(Click click, WorkflowUpdateException e) {
    String reason = Refusal.messageOf(e);
    log.info(
        "Slack {} by {} on {} did not count: {}",
        click.action(),
        click.by(),
        click.workflowId(),
        reason);
    return ephemeral("Your " + click.action() + " did not count: " + reason);
  }

  /** Approve or reject through the Update: its validator's refusal comes back at once. */
  private Map<String, Object> decide(Click click, WorkflowStub run, Decision decision) {
    ApprovalStatus status;
    try {
      status = run.update(click.action(), ApprovalStatus.class, decision);
    } catch (WorkflowUpdateException e) {
      return refused(click, e);
    }
    log.info(
        "Slack {} by {} on {} counted: {}",
        click.action(),
        click.by(),
        click.workflowId(),
        status.state());
    Optional<Progress> progress = progress(run);
    String target = progress.map(Progress::target).orElse("");
    String summary = summary(click, progress);
    if (status.state() != ApprovalResult.PENDING) {
      return replacement(
          SlackBlocks.outcomeText(click.workflowId(), summary, SlackBlocks.approvalOutcome(status)),
          SlackBlocks.outcome(
              click.workflowId(), target, summary, SlackBlocks.approvalOutcome(status)));
    }
    HumanTask task =
        waiting(progress, HumanTask.APPROVAL)
            .orElseGet(
                () ->
                    new HumanTask(
                        HumanTask.APPROVAL,
                        status.action(),
                        "",
                        status.requestedBy(),
                        status.approvers(),
                        status.required(),
                        status.approvals(),
                        status.sinceMillis(),
                        status.deadlineMillis(),
                        List.of(OperatorNames.APPROVE, OperatorNames.REJECT)));
    String note =
        click.by()
            + " approved ("
            + status.approvals()
            + " of "
            + status.required()
            + "); waiting for more approvals";
    return replacement(
        SlackBlocks.requestText(task, click.workflowId(), summary),
        SlackBlocks.request(task, click.workflowId(), target, summary, note));
  }

  /**
   * Retry, skip, fail or acknowledge through the signal. A signal has no answer, so the run's
   * {@code progress} says whether it was taken: asked before (nothing waits for this answer: the
   * button is stale) and after (the request closed, or the run ignored the answer).
   */
  private Map<String, Object> answerBySignal(Click click, WorkflowStub run, Decision decision) {
    boolean stepAnswer = !OperatorNames.ACKNOWLEDGE.equals(click.action());
    Optional<Progress> before = progress(run);
    Optional<HumanTask> asked =
        before.flatMap(
            p ->
                p.waitingFor().stream()
                    .filter(t -> t.choices().contains(click.action()))
                    .findFirst());
    if (stepAnswer && before.isPresent() && asked.isEmpty()) {
      return ephemeral(
          "Nothing on run "
              + click.workflowId()
              + " waits for "
              + click.action()
              + " now (already answered?); nothing was sent.");
    }
    run.signal(click.action(), decision);
    log.info("Slack {} by {} sent to {}", click.action(), click.by(), click.workflowId());

    String outcome = SlackBlocks.answerOutcome(click.action(), decision);
    if (stepAnswer && asked.isPresent()) {
      HumanTask question = asked.get();
      Optional<Progress> after =
          awaitProgress(run, p -> p.waitingFor().stream().noneMatch(question::equals));
      if (after.isEmpty() || after.get().waitingFor().contains(question)) {
        return ephemeral(
            "Sent "
                + click.action()
                + " to "
                + click.workflowId()
                + ", but the run still waits: the answer did not count (see its history).");
      }
      return closed(click, after, outcome);
    }
    Optional<Progress> after = progress(run);
    if (!stepAnswer && after.map(p -> !p.waitingFor().isEmpty()).orElse(false)) {
      // The message may carry decisions still open: keep it, tell only the clicker.
      return ephemeral(outcome + ": no further escalation rung will be notified.");
    }
    return closed(click, after.or(() -> before), outcome);
  }

  private Map<String, Object> closed(Click click, Optional<Progress> progress, String outcome) {
    String summary = summary(click, progress);
    return replacement(
        SlackBlocks.outcomeText(click.workflowId(), summary, outcome),
        SlackBlocks.outcome(
            click.workflowId(), progress.map(Progress::target).orElse(""), summary, outcome));
  }

  private static Optional<HumanTask> waiting(Optional<Progress> progress, String kind) {
    return progress.flatMap(
        p -> p.waitingFor().stream().filter(t -> kind.equals(t.kind())).findFirst());
  }

  private static String summary(Click click, Optional<Progress> progress) {
    if (click.summary() != null && !click.summary().isBlank()) {
      return click.summary();
    }
    return progress
        .map(p -> p.procedure() + (p.target().isEmpty() ? "" : " on " + p.target()))
        .orElse(click.workflowId());
  }

  /** The run's progress, or empty when it cannot be read (the query is only for the reply). */
  private static Optional<Progress> progress(WorkflowStub run) {
    try {
      return Optional.of(run.query(OperatorNames.PROGRESS, Progress.class));
    } catch (WorkflowException | StatusRuntimeException e) {
      log.debug("progress of {} not readable: {}", run.getExecution(), e.toString());
      return Optional.empty();
    }
  }

  /** Reads progress until {@code done} holds or a few seconds passed; the last reading. */
  private static Optional<Progress> awaitProgress(WorkflowStub run, Predicate<Progress> done) {
    long until = System.nanoTime() + SIGNAL_TAKEN_WAIT.toNanos();
    Optional<Progress> last = progress(run);
    while (last.isPresent() && !done.test(last.get()) && System.nanoTime() < until) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return last;
      }
      last = progress(run);
    }
    return last;
  }

  /** Posts the reply to the click's response_url (a Slack-hosted URL; it needs no token). */
  private void respond(Click click, Map<String, Object> reply) {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(click.responseUrl()))
              .timeout(Duration.ofSeconds(10))
              .header("Content-Type", "application/json; charset=utf-8")
              .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(reply)))
              .build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        log.warn(
            "Slack refused the reply to {}'s {} on {}: HTTP {} {}",
            click.by(),
            click.action(),
            click.workflowId(),
            response.statusCode(),
            response.body());
      }
    } catch (IOException e) {
      log.warn(
          "Could not reply to {}'s {} on {} in Slack: {}",
          click.by(),
          click.action(),
          click.workflowId(),
          e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Map<String, Object> ephemeral(String text) {
    Map<String, Object> reply = new LinkedHashMap<>();
    reply.put("response_type", "ephemeral");
    reply.put("replace_original", false);
    reply.put("text", text);
    return reply;
  }

  private static Map<String, Object> replacement(String text, List<Map<String, Object>> blocks) {
    Map<String, Object> reply = new LinkedHashMap<>();
    reply.put("replace_original", true);
    reply.put("text", text);
    reply.put("blocks", blocks);
    return reply;
  }

  private static void reject(Context ctx, HttpStatus status, String reason) {
    ctx.status(status).json(Map.of("error", reason));
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isTextual() && !value.asText().isBlank() ? value.asText() : null;
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  /** Tests stand a local server in for Slack's response_url. */
  private static boolean isLocal(String url) {
    return url.startsWith("http://127.0.0.1:") || url.startsWith("http://localhost:");
  }
}
