package dev.opsflow.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps an alert to a remediation, a failover or a runbook as data. An alert matches when its {@code
 * alertname} equals {@code alert} and every {@code match} label has the given value. {@code target}
 * values may name alert labels as {@code {{label}}} (e.g. {@code deployment: "{{deployment}}"}); a
 * label the alert lacks makes the alert unroutable, with a reason.
 *
 * @param alert the alertname to match
 * @param match extra label equality matchers (may be empty)
 * @param procedure the remediation workflow type, e.g. {@code KafkaLagRemediation}, or {@code
 *     PostgresFailover}; null for a runbook route
 * @param severity critical, high, medium or low (empty = the alert's severity label, else high)
 * @param target namespace, deployment, container, consumerGroup, topic, database, podSelector
 *     (remediations); cluster, candidate ({@code PostgresFailover})
 * @param runbook the id of a runbook of {@code runbooks.dir} to start instead of a procedure; null
 *     for a procedure route
 * @param context a runbook route's run input: key to template over the alert's labels ({@code
 *     {{label}}}, {@code {{label?}}}) and annotations ({@code {{annotations.NAME}}}); alerts that
 *     fill it the same way are one problem, with one run
 */
public record AlertRoute(
    String alert,
    Map<String, String> match,
    String procedure,
    String severity,
    Map<String, String> target,
    String runbook,
    Map<String, String> context) {
  public AlertRoute {
    match = match == null ? Map.of() : Map.copyOf(match);
    target = target == null ? Map.of() : Map.copyOf(target);
    severity = severity == null ? "" : severity;
    procedure = procedure == null || procedure.isBlank() ? null : procedure;
    runbook = runbook == null || runbook.isBlank() ? null : runbook;
    // Declaration order, so a refusal names the first key a reader of the file sees.
    context = context == null ? Map.of() : new LinkedHashMap<>(context);
  }

  /** A route to a remediation or a failover. */
  public AlertRoute(
      String alert,
      Map<String, String> match,
      String procedure,
      String severity,
      Map<String, String> target) {
    this(alert, match, procedure, severity, target, null, null);
  }

  /** A route that starts a runbook as data. */
  public static AlertRoute toRunbook(
      String alert,
      Map<String, String> match,
      String runbook,
      String severity,
      Map<String, String> context) {
    return new AlertRoute(alert, match, null, severity, Map.of(), runbook, context);
  }

  /** Whether this route starts a runbook rather than a procedure. */
  public boolean startsRunbook() {
    return runbook != null;
  }
}
