package dev.opsflow.contracts.runbook;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * Tells people: a Slack message, a PagerDuty event, a webhook or a line in the audit log.
 *
 * @param target the Slack channel, the PagerDuty routing key's name or the webhook's name in the
 *     server's configuration (null: the configured default; never a secret)
 * @param message template: text with {@code {{ expression }}} parts
 */
public record NotifyStep(
    String id,
    String description,
    Channel channel,
    String target,
    String message,
    String severity,
    String onSuccess,
    String onFailure)
    implements RunbookStep {
  /** Where a notification goes. */
  public enum Channel {
    @JsonProperty("slack")
    SLACK,
    @JsonProperty("pagerduty")
    PAGERDUTY,
    @JsonProperty("webhook")
    WEBHOOK,
    @JsonProperty("audit-log")
    AUDIT_LOG
  }

  @Override
  public Map<String, String> transitions() {
    return Transitions.of("onSuccess", onSuccess, "onFailure", onFailure);
  }
}
