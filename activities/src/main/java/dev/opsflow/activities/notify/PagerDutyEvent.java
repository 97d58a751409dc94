package dev.opsflow.activities.notify;

import java.util.Map;

/**
 * An event for the PagerDuty Events API v2.
 *
 * @param eventAction {@code trigger}, {@code acknowledge} or {@code resolve}
 * @param dedupKey identifies the incident: a trigger with a key that is already open adds to that
 *     incident instead of opening another, and acknowledge/resolve name the incident by it.
 *     Required, at most 255 characters; derive it from the problem (e.g. {@code kafka-lag/billing})
 *     so that retries and repeated detections page once
 * @param summary one line shown in the page (trigger only; longer than 1024 characters is cut)
 * @param severity {@code critical}, {@code error}, {@code warning} or {@code info} (trigger only)
 * @param source the affected system, e.g. a host or service name (trigger only)
 * @param customDetails extra key/value pairs shown in the incident; may be {@code null}
 */
public record PagerDutyEvent(
    String eventAction,
    String dedupKey,
    String summary,
    String severity,
    String source,
    Map<String, Object> customDetails) {

  public static PagerDutyEvent trigger(
      String dedupKey,
      String summary,
      String severity,
      String source,
      Map<String, Object> customDetails) {
    return new PagerDutyEvent("trigger", dedupKey, summary, severity, source, customDetails);
  }

  public static PagerDutyEvent resolve(String dedupKey) {
    return new PagerDutyEvent("resolve", dedupKey, null, null, null, null);
  }

  public static PagerDutyEvent acknowledge(String dedupKey) {
    return new PagerDutyEvent("acknowledge", dedupKey, null, null, null, null);
  }
}
