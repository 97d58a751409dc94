package dev.opsflow.activities.dispatch;

import java.util.Locale;

/**
 * Start a remediation: which procedure, on what, how urgent, under which policy, and the
 * notification that asked for it. The same problem on the same target always maps to the same
 * {@link #workflowId()}, which is how repeated and grouped notifications end up in ONE workflow.
 *
 * @param procedure remediation workflow type, e.g. {@code KafkaLagRemediation}
 * @param severity critical, high, medium or low
 * @param requestedBy who asked for the run: {@code opsflow} for alerts and watchdogs, the caller
 *     for a run started through the REST API (under four-eyes they cannot approve it themselves)
 */
public record RemediationRequest(
    String procedure,
    Target target,
    String severity,
    HealingPolicy policy,
    AlertNotice alert,
    String requestedBy) {
  /** Asked for by the automaton (an alert or a watchdog). */
  public static final String AUTOMATON = "opsflow";

  public RemediationRequest {
    requestedBy = requestedBy == null || requestedBy.isBlank() ? AUTOMATON : requestedBy;
  }

  public RemediationRequest(
      String procedure, Target target, String severity, HealingPolicy policy, AlertNotice alert) {
    this(procedure, target, severity, policy, alert, AUTOMATON);
  }

  /** e.g. {@code heal-kafka-lag-remediation-demo/orders-consumer/orders} */
  public String workflowId() {
    String key = target.key();
    return "heal-" + kebab(procedure) + (key.isEmpty() ? "" : "-" + key);
  }

  static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }
}
