package dev.opsflow.activities.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.chat.ChatUpdateResponse;
import dev.opsflow.activities.FailureTypes;
import dev.opsflow.config.OpsflowConfig;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link NotificationActivities} with the Slack SDK's Web API client for Slack and a {@link
 * HttpClient} for PagerDuty and the webhook. Close it when the worker shuts down.
 */
public final class NotificationActivitiesImpl implements NotificationActivities, AutoCloseable {
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

  private final Slack slack;
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
   * @param slack the Slack SDK, configured with the Web API base URL ({@link #slackClient}); this
   *     object closes it
   * @param slackSettings token and default channel
   * @param pagerDutySettings routing key and Events API v2 URL
   * @param webhookSettings the generic webhook URL
   * @param http the client for PagerDuty and the webhook
   */
  public NotificationActivitiesImpl(
      Slack slack,
      OpsflowConfig.Slack slackSettings,
      OpsflowConfig.PagerDuty pagerDutySettings,
      OpsflowConfig.Webhook webhookSettings,
      HttpClient http) {
    this.slack = slack;
    this.slackSettings = slackSettings;
    this.pagerDutySettings = pagerDutySettings;
    this.webhookSettings = webhookSettings;
    this.http = http;
  }

  public static NotificationActivitiesImpl fromConfig(OpsflowConfig config) {
    return new NotificationActivitiesImpl(
        slackClient(config.slack().apiUrl()),
        config.slack(),
        config.pagerduty(),
        config.webhook(),
        HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build());
  }

  /** A Slack SDK instance that sends Web API calls to {@code apiUrl} (e.g. a local test server). */
  public static Slack slackClient(String apiUrl) {
    SlackConfig config = new SlackConfig();
    config.setMethodsEndpointUrlPrefix(apiUrl.endsWith("/") ? apiUrl : apiUrl + "/");
    int timeoutMillis = (int) REQUEST_TIMEOUT.toMillis();
    config.setHttpClientReadTimeoutMillis(timeoutMillis);
    config.setHttpClientWriteTimeoutMillis(timeoutMillis);
    config.setHttpClientCallTimeoutMillis(timeoutMillis);
    config.setStatsEnabled(false);
    return Slack.getInstance(config);
  }

  @Override
  public SlackPosted postSlack(SlackMessage message) {
    if (message == null) {
      throw FailureTypes.invalidInput("postSlack needs a message");
    }
    String actionId = required(message.actionId(), "actionId");
    String text = required(message.text(), "text");
    MethodsClient methods = slackMethods();
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
    String doing = "chat.postMessage to " + channel;
    ChatPostMessageResponse response =
        slackCall(
            doing,
            () ->
                methods.chatPostMessage(
                    req -> {
                      req.channel(channel).text(text).metadataAsString(metadata);
                      if (blocks != null) {
                        req.blocksAsString(blocks);
                      }
                      if (!isBlank(message.threadTs())) {
                        req.threadTs(message.threadTs().trim());
                      }
                      return req;
                    }));
    SlackPosted posted = new SlackPosted(response.getChannel(), response.getTs(), false);
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
    MethodsClient methods = slackMethods();
    // No blocks are sent as [] so that the update removes the earlier ones (e.g. buttons).
    String blocks = Optional.ofNullable(blocksJson(update.blocks())).orElse("[]");
    ChatUpdateResponse response =
        slackCall(
            "chat.update of " + ts + " in " + channel,
            () ->
                methods.chatUpdate(
                    req -> req.channel(channel).ts(ts).text(text).blocksAsString(blocks)));
    log.info("updated Slack message {} in {}", response.getTs(), response.getChannel());
    return new SlackPosted(response.getChannel(), response.getTs(), false);
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

  /** Closes the Slack SDK's HTTP client and executors. */
  @Override
  public void close() throws Exception {
    slack.close();
  }

  private MethodsClient slackMethods() {
    if (!slackSettings.token().isPresent()) {
      throw FailureTypes.notConfigured(
          "Slack is not configured: set SLACK_TOKEN (or slack.tokenFile)");
    }
    return slack.methods(slackSettings.token().reveal());
  }

  /** A Slack Web API call whose result is checked for {@code ok:false}. */
  @FunctionalInterface
  private interface SlackCall<T extends SlackApiTextResponse> {
    T call() throws IOException, SlackApiException;
  }

  private <T extends SlackApiTextResponse> T slackCall(String doing, SlackCall<T> call) {
    T response;
    try {
      response = call.call();
    } catch (SlackApiException e) {
      int status = e.getResponse().code();
      String error = e.getError() == null ? snippet(e.getResponseBody()) : e.getError().getError();
      String message = redact(doing + " failed: HTTP " + status + " " + error);
      if (status == 429) {
        throw rateLimited(message, Optional.ofNullable(e.getResponse().header("Retry-After")), e);
      }
      throw byHttpStatus(status, message, e);
    } catch (IOException e) {
      throw ioFailure(doing, e);
    }
    if (!response.isOk()) {
      throw slackError(doing, response.getError(), response.getNeeded(), retryAfter(response));
    }
    return response;
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

  private static Optional<String> retryAfter(SlackApiTextResponse response) {
    Map<String, List<String>> headers = response.getHttpResponseHeaders();
    if (headers == null) {
      return Optional.empty();
    }
    return headers.entrySet().stream()
        .filter(e -> e.getKey().equalsIgnoreCase("Retry-After") && !e.getValue().isEmpty())
        .map(e -> e.getValue().get(0))
        .findFirst();
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
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
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
