package dev.opsflow.config;

import java.util.Map;

/**
 * Maps an alert to a remediation. An alert matches when its {@code alertname} equals {@code alert}
 * and every {@code match} label has the given value. {@code target} values may name alert labels as
 * {@code {{label}}} (e.g. {@code deployment: "{{deployment}}"}); a label the alert lacks makes the
 * alert unroutable, with a reason.
 *
 * @param alert the alertname to match
 * @param match extra label equality matchers (may be empty)
 * @param procedure the remediation workflow type, e.g. {@code KafkaLagRemediation}
 * @param severity critical, high, medium or low (empty = the alert's severity label, else high)
 * @param target namespace, deployment, container, consumerGroup, topic, database, podSelector
 *     (remediations); cluster, candidate ({@code PostgresFailover})
 */
public record AlertRoute(
    String alert,
    Map<String, String> match,
    String procedure,
    String severity,
    Map<String, String> target) {
  public AlertRoute {
    match = match == null ? Map.of() : Map.copyOf(match);
    target = target == null ? Map.of() : Map.copyOf(target);
    severity = severity == null ? "" : severity;
  }
}
