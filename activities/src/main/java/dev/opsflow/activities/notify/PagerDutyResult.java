package dev.opsflow.activities.notify;

/**
 * PagerDuty's answer to an accepted event.
 *
 * @param status PagerDuty's status, {@code success} for an accepted event
 * @param dedupKey the incident's key, to acknowledge or resolve it later
 */
public record PagerDutyResult(String status, String dedupKey) {}
