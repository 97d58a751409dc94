package dev.opsflow.contracts.run;

import java.util.Map;

/**
 * One notification about a problem: an Alertmanager alert, or a watchdog's finding.
 *
 * @param alertName the alert's name (watchdogs use the check name)
 * @param status firing or resolved
 * @param fingerprint Alertmanager's fingerprint (stable per label set)
 * @param startsAt when the alert started firing (RFC 3339); with the fingerprint, identifies one
 *     episode of the problem, so resends of it are duplicates
 * @param labels the alert's labels
 * @param annotations the alert's annotations (summary, description, runbook_url)
 * @param source alertmanager, watchdog or operator
 */
public record AlertNotice(
    String alertName,
    String status,
    String fingerprint,
    String startsAt,
    Map<String, String> labels,
    Map<String, String> annotations,
    String source) {
  public static final String FIRING = "firing";
  public static final String RESOLVED = "resolved";

  public AlertNotice {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }

  public boolean firing() {
    return FIRING.equals(status);
  }

  /** Identifies one episode of a problem: resends of the same episode share it. */
  public String episode() {
    return fingerprint + "@" + startsAt;
  }
}
