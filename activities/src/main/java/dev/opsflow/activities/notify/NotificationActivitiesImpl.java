package dev.opsflow.activities.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.activities.FailureTypes;
import dev.opsflow.config.OpsflowConfig;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link NotificationActivities} over one {@link HttpClient}: Slack's Web API ({@code
 * chat.postMessage}, {@code chat.update}: form-encoded, the bot token in the {@code Authorization}
 * header only), PagerDuty's Events API v2 and the webhook. It holds no connections of its own to
 * close; the JDK client's idle connections end with it.
 */
public final class NotificationActivitiesImpl implements NotificationActivities {
  /** Retryable failure type: the service could not be reached, timed out or answered 5xx. */
  public static final String UNAVAILABLE = "NotificationUnavailable";

  /** Retryable failure type: the service asked us to slow down (HTTP 429, Slack's ratelimited). */
  public static final String RATE_LIMITED = "NotificationRateLimited";

  /** Retryable failure type: any other error the service reported. */
  public static final String SERVICE_ERROR = "NotificationServiceError";

  /** Slack message metadata event type that carries the action id. */
  public static final String SLACK_METADATA_EVENT = "opsflow_action";

  /** How long one HTTP call to Slack, PagerDuty or the webhook may take. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** Slack accepts at most this many blocks in one message. */
  static final int MAX_SLACK_BLOCKS = 50;

  /** PagerDuty's limits for the dedup key and the summary. */
  static final int MAX_DEDUP_KEY_LENGTH = 255;

  static final int MAX_SUMMARY_LENGTH = 1024;

  /** A Retry-After longer than this is not waited for; the retry policy's interval applies. */
  private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(2);

  private static final int REMEMBERED_POSTS = 1_000;
  private static final int MAX_ERROR_BODY_CHARS = 300;
  private static final Set<String> EVENT_ACTIONS = Set.of("trigger", "acknowledge", "resolve");
  private static final Set<String> SEVERITIES = Set.of("critical", "error", "warning", "info");

  private static final Set<String> SLACK_PERMISSION_ERRORS =
      Set.of(
          "invalid_auth",
          "not_authed",
          "missing_scope",
          "account_inactive",
          "token_revoked",
          "token_expired",
          "no_permission",
          "not_allowed_token_type",
          "not_in_channel",
          "restricted_action",
          "restricted_action_read_only_channel",
          "restricted_action_thread_only_channel",
          "restricted_action_non_threadable_channel",
          "cant_update_message",
          "ekm_access_denied",
          "access_denied");
  private static final Set<String> SLACK_NOT_FOUND_ERRORS =
      Set.of("channel_not_found", "message_not_found", "thread_not_found", "is_archived");
  private static final Set<String> SLACK_RATE_LIMIT_ERRORS = Set.of("ratelimited", "rate_limited");
  private static final Set<String> SLACK_INVALID_INPUT_ERRORS =
      Set.of(
          "invalid_blocks",
          "invalid_blocks_format",
          "msg_too_long",
          "msg_blocks_too_long",
          "no_text",
          "too_many_attachments",
          "invalid_arguments",
          "invalid_arg_name",
          "invalid_array_arg",
          "invalid_charset",
          "invalid_form_data",
          "invalid_post_type",
          "missing_post_type",
          "invalid_metadata_format",
          "invalid_metadata_schema",
          "metadata_too_large",
          "edit_window_closed",
          "invalid_ts_latest",
          "invalid_ts_oldest");

  private static final Logger log = LoggerFactory.getLogger(NotificationActivitiesImpl.class);

  private final OpsflowConfig.Slack slackSettings;
  private final OpsflowConfig.PagerDuty pagerDutySettings;
  private final OpsflowConfig.Webhook webhookSettings;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();

  /** Messages this worker posted, by action id, so that a repeated post returns the first one. */
  private final Map<String, SlackPosted> postedByActionId =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SlackPosted> eldest) {
          return size() > REMEMBERED_POSTS;
        }
      };

  /**
   * @param slackSettings token, default channel and Web API base URL
   * @param pagerDutySettings routing key and Events API v2 URL
   * @param webhookSettings the generic webhook URL
   * @param http the client for Slack, PagerDuty and the webhook
   */
  public NotificationActivitiesImpl(
      OpsflowConfig.Slack slackSettings,
      OpsflowConfig.PagerDuty pagerDutySettings,
      OpsflowConfig.Webhook webhookSettings,
      HttpClient http) {
    this.slackSettings = slackSettings;
    this.pagerDutySettings = pagerDutySettings;
    this.webhookSettings = webhookSettings;
    this.http = http;
  }

  public static NotificationActivitiesImpl fromConfig(OpsflowConfig config) {
    return new NotificationActivitiesImpl(
        config.slack(),
        config.pagerduty(),
        config.webhook(),
        HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build());
  }

  @Override
  public SlackPosted postSlack(SlackMessage message) {
    if (message == null) {
      throw FailureTypes.invalidInput("postSlack needs a message");
    }
    String actionId = required(message.actionId(), "actionId");
    String text = required(message.text(), "text");
    String token = slackToken();
    String channel =
        isBlank(message.channel()) ? slackSettings.channel() : message.channel().trim();
    if (channel.isEmpty()) {
      throw FailureTypes.notConfigured(
          "no Slack channel: name one in the message or set slack.channel (SLACK_CHANNEL)");
    }
    synchronized (postedByActionId) {
      SlackPosted earlier = postedByActionId.get(actionId);
      if (earlier != null) {
        log.info(
            "action {}: Slack message already posted as {} in {}",
            actionId,
            earlier.ts(),
            earlier.channel());
        return new SlackPosted(earlier.channel(), earlier.ts(), true);
      }
    }
    String blocks = blocksJson(message.blocks());
    String metadata =
        toJson(
            Map.of(
                "event_type",
                SLACK_METADATA_EVENT,
                "event_payload",
                Map.of("action_id", actionId)));
    Map<String, String> form = new LinkedHashMap<>();
    form.put("channel", channel);
    form.put("text", text);
    form.put("metadata", metadata);
    if (blocks != null) {
      form.put("blocks", blocks);
    }
    if (!isBlank(message.threadTs())) {
      form.put("thread_ts", message.threadTs().trim());
    }
    JsonNode response =
        slackCall("chat.postMessage", token, form, "chat.postMessage to " + channel);
    SlackPosted posted =
        new SlackPosted(response.path("channel").asText(), response.path("ts").asText(), false);
    synchronized (postedByActionId) {
      postedByActionId.put(actionId, posted);
    }
    log.info("action {}: posted Slack message {} in {}", actionId, posted.ts(), posted.channel());
    return posted;
  }

  @Override
  public SlackPosted updateSlack(SlackUpdate update) {
    if (update == null) {
      throw FailureTypes.invalidInput("updateSlack needs an update");
    }
    String channel = required(update.channel(), "channel");
    String ts = required(update.ts(), "ts");
    String text = required(update.text(), "text");
    String token = slackToken();
    // No blocks are sent as [] so that the update removes the earlier ones (e.g. buttons).
    String blocks = Optional.ofNullable(blocksJson(update.blocks())).orElse("[]");
    JsonNode response =
        slackCall(
            "chat.update",
            token,
            Map.of("channel", channel, "ts", ts, "text", text, "blocks", blocks),
            "chat.update of " + ts + " in " + channel);
    SlackPosted updated =
        new SlackPosted(response.path("channel").asText(), response.path("ts").asText(), false);
    log.info("updated Slack message {} in {}", updated.ts(), updated.channel());
    return updated;
  }

  @Override
  public PagerDutyResult pagerDuty(PagerDutyEvent event) {
    if (event == null) {
      throw FailureTypes.invalidInput("pagerDuty needs an event");
    }
    if (!pagerDutySettings.configured()) {
      throw FailureTypes.notConfigured(
          "PagerDuty is not configured: set PAGERDUTY_ROUTING_KEY (or pagerduty.routingKeyFile)");
    }
    String action = required(event.eventAction(), "eventAction").toLowerCase(Locale.ROOT);
    if (!EVENT_ACTIONS.contains(action)) {
      throw FailureTypes.invalidInput(
          "eventAction must be trigger, acknowledge or resolve, was " + event.eventAction());
    }
    String dedupKey = required(event.dedupKey(), "dedupKey");
    if (dedupKey.length() > MAX_DEDUP_KEY_LENGTH) {
      throw FailureTypes.invalidInput(
          "dedupKey is "
              + dedupKey.length()
              + " characters; PagerDuty allows "
              + MAX_DEDUP_KEY_LENGTH);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("routing_key", pagerDutySettings.routingKey().reveal());
    body.put("event_action", action);
    body.put("dedup_key", dedupKey);
    if (action.equals("trigger")) {
      body.put("payload", triggerPayload(event));
      body.put("client", "opsflow");
    }
    String doing = "PagerDuty " + action + " of " + dedupKey;
    HttpResponse<String> response =
        post(URI.create(pagerDutySettings.eventsUrl()), toJson(body), Map.of(), doing);
    JsonNode answer = parse(response.body());
    if (!isSuccess(response.statusCode())) {
      String reason =
          answer == null
              ? snippet(response.body())
              : answer.path("message").asText("") + " " + answer.path("errors");
      throw httpFailure(
          response, doing + " failed: HTTP " + response.statusCode() + " " + reason.strip());
    }
    String status = answer == null ? "success" : answer.path("status").asText("success");
    String key = answer == null ? dedupKey : answer.path("dedup_key").asText(dedupKey);
    log.info("{}: {}", doing, status);
    return new PagerDutyResult(status, key);
  }

  private static Map<String, Object> triggerPayload(PagerDutyEvent event) {
    String severity = required(event.severity(), "severity").toLowerCase(Locale.ROOT);
    if (!SEVERITIES.contains(severity)) {
      throw FailureTypes.invalidInput(
          "severity must be critical, error, warning or info, was " + event.severity());
    }
    String summary = required(event.summary(), "summary");
    if (summary.length() > MAX_SUMMARY_LENGTH) {
      // A page with a shortened summary beats no page; PagerDuty would cut it the same way.
      summary = summary.substring(0, MAX_SUMMARY_LENGTH - 3) + "...";
    }
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("summary", summary);
    payload.put("source", required(event.source(), "source"));
    payload.put("severity", severity);
    if (event.customDetails() != null && !event.customDetails().isEmpty()) {
      payload.put("custom_details", event.customDetails());
    }
    return payload;
  }

  @Override
  public WebhookDelivered webhook(WebhookEvent event) {
    if (event == null) {
      throw FailureTypes.invalidInput("webhook needs an event");
    }
    if (!webhookSettings.configured()) {
      throw FailureTypes.notConfigured(
          "the webhook is not configured: set webhook.url (WEBHOOK_URL)");
    }
    String actionId = required(event.actionId(), "actionId");
    String name = required(event.event(), "event");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("actionId", actionId);
    body.put("event", name);
    body.put("summary", event.summary());
    body.put("details", event.details() == null ? Map.of() : event.details());
    URI url = URI.create(webhookSettings.url());
    // The URL's path often carries a token (chat incoming webhooks): name only the host.
    String doing = "webhook " + name + " to " + url.getHost();
    HttpResponse<String> response =
        post(url, toJson(body), Map.of("Idempotency-Key", actionId), doing);
    if (!isSuccess(response.statusCode())) {
      throw httpFailure(
          response,
          doing + " failed: HTTP " + response.statusCode() + " " + snippet(response.body()));
    }
    log.info("action {}: {} delivered (HTTP {})", actionId, doing, response.statusCode());
    return new WebhookDelivered(response.statusCode());
  }

  private String slackToken() {
    if (!slackSettings.token().isPresent()) {
      throw FailureTypes.notConfigured(
          "Slack is not configured: set SLACK_TOKEN (or slack.tokenFile)");
    }
    return slackSettings.token().reveal();
  }

  /**
   * One Web API method, form-encoded as Slack documents it, answered with HTTP 200 and a JSON
   * object whose {@code ok} says whether it worked. Anything else becomes a typed failure whose
   * message names the method and Slack's error code, never the token.
   */
  private JsonNode slackCall(String method, String token, Map<String, String> form, String doing) {
    String apiUrl = slackSettings.apiUrl();
    URI url = URI.create((apiUrl.endsWith("/") ? apiUrl : apiUrl + "/") + method);
    String body =
        form.entrySet().stream()
            .map(e -> formEncode(e.getKey()) + "=" + formEncode(e.getValue()))
            .collect(Collectors.joining("&"));
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(REQUEST_TIMEOUT)
            .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
            .header("Accept", "application/json")
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> response = send(request, doing);
    JsonNode answer = parse(response.body());
    log.debug(
        "{}: HTTP {}, ok={}",
        doing,
        response.statusCode(),
        answer == null ? "(no JSON)" : answer.path("ok").asText());
    if (!isSuccess(response.statusCode())) {
      String error =
          answer != null && answer.hasNonNull("error")
              ? answer.path("error").asText()
              : snippet(response.body());
      throw httpFailure(
          response, doing + " failed: HTTP " + response.statusCode() + " " + error.strip());
    }
    if (answer == null) {
      throw FailureTypes.retryable(
          redact(doing + " failed: the answer is not a JSON object: " + snippet(response.body())),
          SERVICE_ERROR,
          null);
    }
    if (!answer.path("ok").asBoolean(false)) {
      // The message is built from Slack's answer, which must not be able to carry the token out.
      String needed = answer.hasNonNull("needed") ? redact(answer.path("needed").asText()) : null;
      String error = answer.hasNonNull("error") ? redact(answer.path("error").asText()) : null;
      throw slackError(doing, error, needed, response.headers().firstValue("Retry-After"));
    }
    return answer;
  }

  private static String formEncode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** Maps Slack's {@code ok:false} error codes to failure types. */
  static ApplicationFailure slackError(
      String doing, String error, String needed, Optional<String> retryAfter) {
    String code = error == null ? "unknown_error" : error;
    String message =
        doing + " failed: " + code + (isBlank(needed) ? "" : " (needed scope: " + needed + ")");
    if (SLACK_PERMISSION_ERRORS.contains(code)) {
      return FailureTypes.permissionDenied(message);
    }
    if (SLACK_NOT_FOUND_ERRORS.contains(code)) {
      return FailureTypes.notFound(message);
    }
    if (SLACK_INVALID_INPUT_ERRORS.contains(code)) {
      return FailureTypes.invalidInput(message);
    }
    if (SLACK_RATE_LIMIT_ERRORS.contains(code)) {
      return rateLimited(message, retryAfter, null);
    }
    return FailureTypes.retryable(message, SERVICE_ERROR, null);
  }

  private HttpResponse<String> post(
      URI url, String jsonBody, Map<String, String> headers, String doing) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(url)
            .timeout(REQUEST_TIMEOUT)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(jsonBody));
    headers.forEach(request::header);
    return send(request.build(), doing);
  }

  private HttpResponse<String> send(HttpRequest request, String doing) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw ioFailure(doing, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw FailureTypes.retryable(doing + " interrupted", UNAVAILABLE, e);
    }
  }

  private ApplicationFailure ioFailure(String doing, IOException e) {
    String why =
        e instanceof ConnectException
            ? "cannot connect"
            : e instanceof HttpTimeoutException || e instanceof InterruptedIOException
                ? "no answer within " + REQUEST_TIMEOUT.toSeconds() + " s"
                : e.getClass().getSimpleName();
    return FailureTypes.retryable(redact(doing + " failed: " + why), UNAVAILABLE, e);
  }

  private ApplicationFailure httpFailure(HttpResponse<String> response, String message) {
    String safe = redact(message);
    if (response.statusCode() == 429) {
      return rateLimited(safe, response.headers().firstValue("Retry-After"), null);
    }
    return byHttpStatus(response.statusCode(), safe, null);
  }

  /** Final for statuses a retry cannot fix, retryable for overload and server errors. */
  static ApplicationFailure byHttpStatus(int status, String message, Throwable cause) {
    if (status == 401 || status == 403) {
      return FailureTypes.permissionDenied(message);
    }
    if (status == 404 || status == 410) {
      return FailureTypes.notFound(message);
    }
    if (status == 408 || status == 409 || status == 425 || status >= 500) {
      return FailureTypes.retryable(message, UNAVAILABLE, cause);
    }
    if (status == 429) {
      return FailureTypes.retryable(message, RATE_LIMITED, cause);
    }
    if (status >= 400) {
      return FailureTypes.invalidInput(message);
    }
    return FailureTypes.retryable(message, SERVICE_ERROR, cause);
  }

  /** Retryable, after the service's Retry-After (seconds) when it sent a usable one. */
  static ApplicationFailure rateLimited(
      String message, Optional<String> retryAfter, Throwable cause) {
    Optional<Duration> delay =
        retryAfter.flatMap(
            value -> {
              try {
                long seconds = Long.parseLong(value.trim());
                return seconds > 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
              } catch (NumberFormatException e) {
                // An HTTP date instead of seconds: the retry policy's own interval applies.
                return Optional.empty();
              }
            });
    if (delay.isEmpty()) {
      return FailureTypes.retryable(message, RATE_LIMITED, cause);
    }
    Duration wait = delay.get().compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : delay.get();
    return ApplicationFailure.newFailureWithCauseAndDelay(
        message + " (retry after " + wait.toSeconds() + " s)", RATE_LIMITED, cause, wait);
  }

  private String blocksJson(List<Map<String, Object>> blocks) {
    if (blocks == null || blocks.isEmpty()) {
      return null;
    }
    if (blocks.size() > MAX_SLACK_BLOCKS) {
      throw FailureTypes.invalidInput(
          blocks.size() + " blocks given; Slack allows " + MAX_SLACK_BLOCKS + " per message");
    }
    return toJson(blocks);
  }

  private String toJson(Object value) {
    try {
      return json.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw FailureTypes.invalidInput("cannot write as JSON: " + e.getOriginalMessage());
    }
  }

  private JsonNode parse(String body) {
    try {
      JsonNode node = json.readTree(body);
      return node != null && node.isObject() ? node : null;
    } catch (JsonProcessingException e) {
      // Not every error page is JSON; callers report the raw body instead.
      return null;
    }
  }

  /** Replaces the Slack token and the PagerDuty routing key, should a service echo them. */
  private String redact(String text) {
    String result = text;
    for (var secret : List.of(slackSettings.token(), pagerDutySettings.routingKey())) {
      if (secret.isPresent()) {
        result = result.replace(secret.reveal(), "****");
      }
    }
    return result;
  }

  private static boolean isSuccess(int status) {
    return status >= 200 && status < 300;
  }

  private static String required(String value, String field) {
    if (isBlank(value)) {
      throw FailureTypes.invalidInput(field + " is required");
    }
    return value.trim();
  }

  private static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }

  private static String snippet(String body) {
    if (isBlank(body)) {
      return "(empty body)";
    }
    String flat = body.strip().replaceAll("\\s+", " ");
    return flat.length() <= MAX_ERROR_BODY_CHARS
        ? flat
        : flat.substring(0, MAX_ERROR_BODY_CHARS) + "...";
  }
}
