package dev.opsflow.activities.notify;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Tells people what opsflow is doing: Slack messages, PagerDuty pages and a generic webhook. Run
 * Slack and webhook calls with {@link NotificationOptions#NOTIFY} and pages with {@link
 * NotificationOptions#PAGE}.
 *
 * <p>A channel that is not configured fails with {@code NotConfigured}, naming the setting to add;
 * nothing is ever dropped silently. Tokens and routing keys never appear in results, failure
 * messages or logs.
 *
 * <p>Failures: {@code NotConfigured}, {@code InvalidInput} (the request or the receiver rejected
 * the payload), {@code PermissionDenied} (credentials or scopes refused), {@code NotFound} (unknown
 * channel or message, wrong URL) are final. Rate limits, 5xx and unreachable services fail with the
 * retryable types {@value NotificationActivitiesImpl#RATE_LIMITED} (with the service's {@code
 * Retry-After} as the next retry delay when it sends one) and {@value
 * NotificationActivitiesImpl#UNAVAILABLE}.
 */
@ActivityInterface
public interface NotificationActivities {

  /**
   * Posts a message with Slack's {@code chat.postMessage}, tagged with the action id as message
   * metadata (event type {@value NotificationActivitiesImpl#SLACK_METADATA_EVENT}).
   *
   * <p>Idempotency: a worker remembers the messages it posted per action id and returns the earlier
   * message ({@code alreadyPosted=true}) instead of posting again. Slack has no idempotency key, so
   * a retry on another worker after Slack accepted a post whose answer was lost posts a second
   * message; the shared action id metadata lets readers tell such duplicates apart.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code NotConfigured} without a token, or
   *     without a channel in the message or the configuration; {@code InvalidInput} for a missing
   *     action id or text, more than 50 blocks, or blocks Slack rejects; {@code PermissionDenied}
   *     for {@code invalid_auth}, {@code not_authed}, {@code missing_scope} and similar; {@code
   *     NotFound} for {@code channel_not_found}; a retryable failure for {@code ratelimited}, HTTP
   *     429, 5xx or an unreachable API
   */
  @ActivityMethod
  SlackPosted postSlack(SlackMessage message);

  /**
   * Replaces the text and blocks of a message posted earlier with {@code chat.update}, e.g. to show
   * an approval's outcome and remove its buttons.
   *
   * <p>Idempotent: setting the same content twice leaves the same message.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code NotConfigured} without a token; {@code
   *     InvalidInput} for a missing channel, ts or text; {@code PermissionDenied} when the message
   *     is not the bot's own or the credentials are refused; {@code NotFound} for an unknown
   *     channel or message; a retryable failure for rate limits, 5xx or an unreachable API
   */
  @ActivityMethod
  SlackPosted updateSlack(SlackUpdate update);

  /**
   * Sends a trigger, acknowledge or resolve event to the PagerDuty Events API v2.
   *
   * <p>Idempotent through the dedup key: retrying a trigger adds to the open incident instead of
   * opening a second one, and resolving a resolved incident changes nothing.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code NotConfigured} without a routing key;
   *     {@code InvalidInput} for a missing dedup key, an unknown event action or severity, a
   *     trigger without summary or source, or an event PagerDuty rejects (HTTP 400); a retryable
   *     failure for HTTP 429, 5xx or an unreachable endpoint
   */
  @ActivityMethod
  PagerDutyResult pagerDuty(PagerDutyEvent event);

  /**
   * POSTs an event as JSON to the configured webhook URL, with the action id as the {@code
   * Idempotency-Key} header.
   *
   * <p>Idempotency is the receiver's: a retry sends the same key, so a receiver that honours it
   * handles the event once.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code NotConfigured} without a webhook URL;
   *     {@code InvalidInput} for a missing action id or event, or HTTP 400/422; {@code
   *     PermissionDenied} for HTTP 401/403; {@code NotFound} for HTTP 404; a retryable failure for
   *     HTTP 408, 409, 429, 5xx or an unreachable receiver
   */
  @ActivityMethod
  WebhookDelivered webhook(WebhookEvent event);
}
