package dev.opsflow.activities.notify;

import java.util.Map;

/**
 * A notification for the generic outgoing webhook, sent as the JSON object {@code {"actionId",
 * "event", "summary", "details"}}.
 *
 * @param actionId the action this event belongs to; sent as the {@code Idempotency-Key} header so
 *     the receiver can drop a retried delivery
 * @param event what happened, e.g. {@code consumers-scaled} or {@code approval-requested}
 * @param summary one line for a human
 * @param details extra key/value pairs; may be {@code null}
 */
public record WebhookEvent(
    String actionId, String event, String summary, Map<String, Object> details) {}
