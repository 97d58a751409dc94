package dev.opsflow.activities.notify;

/**
 * The receiver accepted a webhook delivery.
 *
 * @param statusCode the 2xx status it answered with
 */
public record WebhookDelivered(int statusCode) {}
