package dev.opsflow.activities.dispatch;

import java.util.Locale;

/**
 * Start a remediation: which procedure, on what, how urgent, under which policy, and the
 * notification that asked for it. The same problem on the same target always maps to the same
 * {@link #workflowId()}, which is how repeated and grouped notifications end up in ONE workflow.
 *
 * @param procedure remediation workflow type, e.g. {@code KafkaLagRemediation}
 * @param severity critical, high, medium or low
 */
public record RemediationRequest(
    String procedure, Target target, String severity, HealingPolicy policy, AlertNotice alert) {

  /** e.g. {@code heal-kafka-lag-remediation-demo/orders-consumer/orders} */
  public String workflowId() {
    String key = target.key();
    return "heal-" + kebab(procedure) + (key.isEmpty() ? "" : "-" + key);
  }

  static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }
}
