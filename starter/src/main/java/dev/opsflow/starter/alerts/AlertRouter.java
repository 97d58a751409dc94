package dev.opsflow.starter.alerts;

import dev.opsflow.activities.InvalidNameException;
import dev.opsflow.activities.Printable;
import dev.opsflow.activities.dispatch.TargetNames;
import dev.opsflow.activities.runbook.RunbookFolder;
import dev.opsflow.config.AlertRoute;
import dev.opsflow.config.ConfigException;
import dev.opsflow.config.Severities;
import dev.opsflow.config.Spelling;
import dev.opsflow.contracts.failover.FailoverMode;
import dev.opsflow.contracts.failover.FailoverRequest;
import dev.opsflow.contracts.failover.PostgresFailover;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.Target;
import dev.opsflow.contracts.run.AlertNotice;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.contracts.runbook.RunbookRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns an alert into a remediation request (or, for a {@code PostgresFailover} route, a failover
 * request; for a {@code runbook:} route, a runbook's run) using the routing rules: the first rule
 * whose alert name and label matchers fit wins; its target templates are filled from the alert's
 * labels.
 */
public final class AlertRouter {
  /** {@code {{label}}} must exist on the alert; {@code {{label?}}} may be missing (empty). */
  private static final Pattern TEMPLATE =
      Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)(\\?)?\\s*}}");

  /**
   * Deleting files is the one default action that destroys data, so the default {@code
   * DiskSpaceHigh} route only takes alerts whose rule carries this label: the team that owns the
   * alert opts in, instead of every team's disk alert deleting logs.
   */
  public static final Map<String, String> LOG_CLEANUP_OPT_IN = Map.of("opsflow_cleanup", "logs");

  /**
   * Longest label value that may go into a target (and so into a workflow ID and the {@code
   * OpsflowTarget} search attribute): the longest DNS-1123 subdomain, the longest name any target
   * field can have in Kubernetes.
   */
  public static final int MAX_TARGET_LABEL = 253;

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
              "PostgresPrimaryDown",
              Map.of(),
              PostgresFailover.TYPE,
              "critical",
              Map.of("cluster", "{{cluster}}")),
          new AlertRoute(
              "DiskSpaceHigh",
              LOG_CLEANUP_OPT_IN,
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

  /** Per route, its runbook's check and context ({@code null} for a procedure's route). */
  private final List<RunbookRoute> runbookRoutes = new ArrayList<>();

  /**
   * @param knownProcedures workflow types that exist; a rule naming another, or a target field its
   *     procedure's target does not have, fails start-up
   */
  public AlertRouter(List<AlertRoute> routes, List<String> knownProcedures) {
    this(routes, knownProcedures, RunbookFolder.empty());
  }

  /**
   * @param knownProcedures workflow types that exist; a rule naming another, or a target field its
   *     procedure's target does not have, fails start-up
   * @param runbooks the runbooks the server loaded ({@code runbooks.dir}): a route naming another
   *     runbook, or a context its variables cannot take, fails start-up
   */
  public AlertRouter(
      List<AlertRoute> routes, List<String> knownProcedures, RunbookFolder runbooks) {
    this.routes = routes.isEmpty() ? DEFAULT_ROUTES : routes;
    for (int i = 0; i < this.routes.size(); i++) {
      if (this.routes.get(i).startsRunbook()) {
        runbookRoutes.add(new RunbookRoute(i, this.routes.get(i), runbooks));
        continue;
      }
      runbookRoutes.add(null);
      String procedure = this.routes.get(i).procedure();
      if (PostgresFailover.TYPE.equals(procedure)) {
        requireFailoverTarget(i, this.routes.get(i).target());
        continue;
      }
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
      List<String> unused = Target.unusedFields(procedure, this.routes.get(i).target());
      if (!unused.isEmpty()) {
        throw new ConfigException(
            "routes[" + i + "].target." + unused.get(0),
            procedure
                + " does not use "
                + String.join(", ", unused)
                + "; its target has "
                + String.join(", ", Target.fieldsOf(procedure)));
      }
    }
  }

  /** The fields a failover route may fill: the cluster (required) and the replica to promote. */
  private static final List<String> FAILOVER_FIELDS = List.of("cluster", "candidate");

  private static void requireFailoverTarget(int i, Map<String, String> target) {
    for (String field : target.keySet()) {
      if (!FAILOVER_FIELDS.contains(field)) {
        throw new ConfigException(
            "routes[" + i + "].target." + field,
            PostgresFailover.TYPE
                + " does not use "
                + field
                + "; its target has cluster, candidate");
      }
    }
    if (!target.containsKey("cluster")) {
      throw new ConfigException(
          "routes[" + i + "].target.cluster",
          PostgresFailover.TYPE + " needs the cluster, e.g. cluster: \"{{cluster}}\"");
    }
  }

  public List<AlertRoute> routes() {
    return routes;
  }

  /** A request, or the reason the alert cannot be routed. */
  public sealed interface Routed
      permits Routed.To, Routed.Failover, Routed.Runbook, Routed.Unroutable {
    record To(RemediationRequest request) implements Routed {}

    /**
     * A failover of the cluster the alert names, in mode FAILOVER (the primary is down). The run
     * confirms the outage with its own probes; a resolved alert never undoes a failover.
     */
    record Failover(FailoverRequest request) implements Routed {
      public AlertNotice notice() {
        return request.run().alert();
      }
    }

    /**
     * A run of a runbook as data on the problem's workflow ID ({@code runbook-<id>-alert-<hash>} of
     * the filled context), checked by {@code RunbookDoor}; a resolved alert starts nothing.
     */
    record Runbook(RunbookRequest request, String workflowId, AlertNotice notice)
        implements Routed {}

    record Unroutable(String alertName, String reason) implements Routed {}
  }

  /**
   * Routes one alert. Label values are data: a value that goes into a target must be at most
   * {@value #MAX_TARGET_LABEL} characters without control characters, and each target field must be
   * a legal name of what it names (namespace, Deployment, container, label selector, consumer
   * group, topic, database), so an alert cannot point a remediation at {@code ../../prod/...} or
   * forge an ID. A refusal names the label and the field.
   */
  public Routed route(AlertmanagerPayload.Alert alert) {
    Map<String, String> labels = alert.labels() == null ? Map.of() : alert.labels();
    String name = labels.getOrDefault("alertname", "");
    if (name.isEmpty()) {
      return new Routed.Unroutable("", "the alert has no alertname label");
    }
    List<AlertRoute> named = routes.stream().filter(r -> r.alert().equals(name)).toList();
    for (int index = 0; index < routes.size(); index++) {
      AlertRoute route = routes.get(index);
      if (!route.alert().equals(name) || !matches(route.match(), labels)) {
        continue;
      }
      Map<String, String> fields = new HashMap<>();
      for (Map.Entry<String, String> e : route.target().entrySet()) {
        Matcher m = TEMPLATE.matcher(e.getValue());
        StringBuilder value = new StringBuilder();
        List<String> used = new ArrayList<>();
        while (m.find()) {
          String label = m.group(1);
          String v = labels.get(label);
          if ((v == null || v.isEmpty()) && m.group(2) == null) {
            return new Routed.Unroutable(
                name,
                "label '" + label + "' is missing (route target " + e.getKey() + " needs it)");
          }
          String refused = refusedLabelValue(label, v);
          if (refused != null) {
            return new Routed.Unroutable(name, refused + " (route target " + e.getKey() + ")");
          }
          used.add(label);
          m.appendReplacement(value, Matcher.quoteReplacement(v == null ? "" : v));
        }
        m.appendTail(value);
        try {
          fields.put(
              e.getKey(),
              PostgresFailover.TYPE.equals(route.procedure())
                  ? memberName(e.getKey(), value.toString())
                  : TargetNames.checked(e.getKey(), value.toString()));
        } catch (InvalidNameException invalid) {
          return new Routed.Unroutable(name, from(used) + invalid.getMessage());
        }
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
      if (route.startsRunbook()) {
        return runbookRoutes
            .get(index)
            .route(
                labels,
                alert.annotations() == null ? Map.of() : alert.annotations(),
                severity,
                notice);
      }
      if (PostgresFailover.TYPE.equals(route.procedure())) {
        if (fields.getOrDefault("cluster", "").isEmpty()) {
          return new Routed.Unroutable(name, "target.cluster is empty: the failover needs one");
        }
        return new Routed.Failover(
            new FailoverRequest(
                fields.get("cluster"),
                FailoverMode.FAILOVER,
                fields.get("candidate"),
                RunEnvelope.alerted(severity, notice),
                null));
      }
      return new Routed.To(
          new RemediationRequest(
              route.procedure(),
              Target.of(route.procedure(), fields),
              severity,
              notice,
              RemediationRequest.AUTOMATON));
    }
    if (named.isEmpty()) {
      return new Routed.Unroutable(name, "no route matches alert " + Printable.quoted(name));
    }
    return new Routed.Unroutable(
        name,
        "no route for alert "
            + Printable.quoted(name)
            + " matches its labels; the routes for it need "
            + named.stream().map(r -> matchers(r.match())).collect(Collectors.joining(" or ")));
  }

  private static final Pattern MEMBER_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /** A cluster or member name, as failover.clusters spells them. */
  private static String memberName(String field, String value) {
    if (!value.isEmpty() && !MEMBER_NAME.matcher(value).matches()) {
      throw new InvalidNameException(
          "target." + field, value, "a cluster or member name is lower-case letters, digits, '-'");
    }
    return value;
  }

  /** Why a label value may not go into a target, or null when it may. */
  static String refusedLabelValue(String label, String value) {
    if (value == null) {
      return null;
    }
    if (value.length() > MAX_TARGET_LABEL) {
      return "label '"
          + label
          + "' is "
          + value.length()
          + " characters; a label used in a target may have at most "
          + MAX_TARGET_LABEL;
    }
    if (value.chars().anyMatch(Character::isISOControl)) {
      return "label '"
          + label
          + "' "
          + Printable.quoted(value)
          + " contains control characters, which no target name may have";
    }
    return null;
  }

  private static String from(List<String> labels) {
    if (labels.isEmpty()) {
      return "";
    }
    return (labels.size() == 1 ? "label '" : "labels '") + String.join("', '", labels) + "': ";
  }

  private static String matchers(Map<String, String> match) {
    return match.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(m -> m.getKey() + "=" + Printable.quoted(m.getValue()))
        .collect(Collectors.joining(","));
  }

  private static boolean matches(Map<String, String> matchers, Map<String, String> labels) {
    return matchers.entrySet().stream().allMatch(m -> m.getValue().equals(labels.get(m.getKey())));
  }
}
