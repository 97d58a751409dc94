package dev.opsflow.starter.alerts;

import dev.opsflow.activities.dispatch.AlertNotice;
import dev.opsflow.activities.dispatch.HealingPolicy;
import dev.opsflow.activities.dispatch.RemediationRequest;
import dev.opsflow.activities.dispatch.Target;
import dev.opsflow.config.AlertRoute;
import dev.opsflow.config.ConfigException;
import dev.opsflow.config.Severities;
import dev.opsflow.config.Spelling;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns an alert into a remediation request using the routing rules: the first rule whose alert
 * name and label matchers fit wins; its target templates are filled from the alert's labels.
 */
public final class AlertRouter {
  /** {@code {{label}}} must exist on the alert; {@code {{label?}}} may be missing (empty). */
  private static final Pattern TEMPLATE =
      Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)(\\?)?\\s*}}");

  /** Used when opsflow.yaml has no routes: common alert names and the labels they carry. */
  public static final List<AlertRoute> DEFAULT_ROUTES =
      List.of(
          new AlertRoute(
              "KafkaConsumerLagHigh",
              Map.of(),
              "KafkaLagRemediation",
              "high",
              Map.of(
                  "namespace", "{{namespace}}",
                  "deployment", "{{deployment}}",
                  "consumerGroup", "{{consumergroup}}",
                  "topic", "{{topic?}}")),
          new AlertRoute(
              "PostgresTooManyConnections",
              Map.of(),
              "PostgresConnectionRemediation",
              "high",
              Map.of("database", "{{datname?}}")),
          new AlertRoute(
              "KubePodOOMKilled",
              Map.of(),
              "OomRemediation",
              "critical",
              Map.of(
                  "namespace",
                  "{{namespace}}",
                  "deployment",
                  "{{deployment}}",
                  "container",
                  "{{container?}}")),
          new AlertRoute(
              "KubePodCrashLooping",
              Map.of(),
              "CrashLoopRemediation",
              "critical",
              Map.of("namespace", "{{namespace}}", "deployment", "{{deployment}}")),
          new AlertRoute(
              "DiskSpaceHigh",
              Map.of(),
              "DiskPressureRemediation",
              "medium",
              Map.of(
                  "namespace",
                  "{{namespace}}",
                  "deployment",
                  "{{deployment}}",
                  "podSelector",
                  "{{selector?}}")));

  private final List<AlertRoute> routes;
  private final HealingPolicy policy;

  /**
   * @param knownProcedures workflow types that exist; a rule naming another fails start-up
   */
  public AlertRouter(List<AlertRoute> routes, HealingPolicy policy, List<String> knownProcedures) {
    this.routes = routes.isEmpty() ? DEFAULT_ROUTES : routes;
    this.policy = policy;
    for (int i = 0; i < this.routes.size(); i++) {
      String procedure = this.routes.get(i).procedure();
      if (!knownProcedures.contains(procedure)) {
        throw new ConfigException(
            "routes[" + i + "].procedure",
            "unknown remediation '"
                + procedure
                + "'"
                + Spelling.closest(procedure, knownProcedures)
                    .map(c -> " (did you mean " + c + "?)")
                    .orElse("")
                + "; known: "
                + String.join(", ", knownProcedures));
      }
    }
  }

  public List<AlertRoute> routes() {
    return routes;
  }

  /** A request, or the reason the alert cannot be routed. */
  public sealed interface Routed permits Routed.To, Routed.Unroutable {
    record To(RemediationRequest request) implements Routed {}

    record Unroutable(String alertName, String reason) implements Routed {}
  }

  public Routed route(AlertmanagerPayload.Alert alert) {
    Map<String, String> labels = alert.labels() == null ? Map.of() : alert.labels();
    String name = labels.getOrDefault("alertname", "");
    if (name.isEmpty()) {
      return new Routed.Unroutable("", "the alert has no alertname label");
    }
    for (AlertRoute route : routes) {
      if (!route.alert().equals(name) || !matches(route.match(), labels)) {
        continue;
      }
      Map<String, String> fields = new HashMap<>();
      for (Map.Entry<String, String> e : route.target().entrySet()) {
        Matcher m = TEMPLATE.matcher(e.getValue());
        StringBuilder value = new StringBuilder();
        while (m.find()) {
          String label = m.group(1);
          String v = labels.get(label);
          if (v == null && m.group(2) == null) {
            return new Routed.Unroutable(
                name,
                "label '" + label + "' is missing (route target " + e.getKey() + " needs it)");
          }
          m.appendReplacement(value, Matcher.quoteReplacement(v == null ? "" : v));
        }
        m.appendTail(value);
        fields.put(e.getKey(), value.toString());
      }
      String severity =
          route.severity().isEmpty() ? labels.getOrDefault("severity", "high") : route.severity();
      if (!Severities.ALL.contains(severity)) {
        severity = "high";
      }
      AlertNotice notice =
          new AlertNotice(
              name,
              AlertNotice.RESOLVED.equals(alert.status())
                  ? AlertNotice.RESOLVED
                  : AlertNotice.FIRING,
              alert.fingerprint(),
              alert.startsAt(),
              labels,
              alert.annotations(),
              "alertmanager");
      return new Routed.To(
          new RemediationRequest(route.procedure(), Target.of(fields), severity, policy, notice));
    }
    return new Routed.Unroutable(name, "no route matches alert '" + name + "'");
  }

  private static boolean matches(Map<String, String> matchers, Map<String, String> labels) {
    return matchers.entrySet().stream().allMatch(m -> m.getValue().equals(labels.get(m.getKey())));
  }
}
