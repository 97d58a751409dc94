package dev.opsflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.uber.m3.tally.Scope;
import dev.opsflow.worker.OpsflowMetrics;
import dev.opsflow.workflows.kernel.RunMetrics;
import dev.opsflow.workflows.remediation.HealingMetrics;
import io.temporal.worker.MetricsType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The alert rules and the Grafana dashboard only query metrics opsflow and the Temporal SDK really
 * export, and only the target label (component) the scrape configs set.
 */
class MonitoringTest {
  private static final Path FILES = RepositoryRoot.resolve("helm/opsflow/files");
  private static final Pattern METRIC =
      Pattern.compile("\\b([a-z_]+_(?:total|bucket|count|sum|max)|up)\\b(?=[{\\[ )])");

  @Test
  void alertRulesQueryExportedMetrics() throws Exception {
    Map<?, ?> file = new Yaml().load(Files.readString(FILES.resolve("opsflow-alerts.yml")));
    Map<String, String> exprs = new LinkedHashMap<>();
    for (Object group : (List<?>) file.get("groups")) {
      for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
        exprs.put(
            (String) ((Map<?, ?>) rule).get("alert"), (String) ((Map<?, ?>) rule).get("expr"));
      }
    }
    assertThat(exprs)
        .containsKeys(
            "OpsflowWorkerDown", "OpsflowEscalationsRising", "OpsflowApprovalsWaitingTooLong");
    // Every escalation, not only failed actions; every approval asked against every one closed.
    assertThat(exprs.get("OpsflowEscalationsRising")).contains("opsflow_escalations_total");
    assertThat(exprs.get("OpsflowApprovalsWaitingTooLong"))
        .contains("opsflow_approvals_requested_total", "opsflow_approvals_closed_total");
    assertExported(List.copyOf(exprs.values()));
  }

  @Test
  void dashboardPanelsQueryExportedMetrics() throws Exception {
    JsonNode dashboard =
        new ObjectMapper().readTree(FILES.resolve("opsflow-dashboard.json").toFile());
    List<String> exprs = new ArrayList<>();
    List<String> titles = new ArrayList<>();
    dashboard
        .get("panels")
        .forEach(
            p -> {
              titles.add(p.get("title").asText());
              p.get("targets").forEach(t -> exprs.add(t.get("expr").asText()));
            });
    assertThat(titles)
        .contains(
            "Healing actions by outcome",
            "Runbook success rate by workflow type",
            "Failure points",
            "Approvals waiting",
            "Escalations by procedure");
    assertExported(exprs);
  }

  private static void assertExported(List<String> exprs) throws Exception {
    Set<String> exported = exportedMetricNames();
    for (String expr : exprs) {
      var names = METRIC.matcher(expr).results().map(r -> r.group(1)).toList();
      assertThat(names).as(expr).isNotEmpty();
      for (String name : names) {
        assertThat(exported).as("%s in %s", name, expr).contains(name);
      }
      if (expr.contains("component")) {
        assertThat(expr).containsPattern("component=~?\"(worker|starter|worker\\|starter)\"");
      }
    }
  }

  /**
   * Prometheus names of opsflow's meters, as the worker's /metrics page gives them (each meter the
   * workflows emit is reported once through the worker's registry and read back from its scrape),
   * and the SDK's counters (counter: _total).
   */
  private static Set<String> exportedMetricNames() throws Exception {
    Set<String> names = new HashSet<>(Set.of("up"));
    names.addAll(workflowMetricNames());
    for (Field f : MetricsType.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getName().endsWith("_COUNTER")) {
        try {
          names.add(f.get(null) + "_total");
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    // The webhook's counter is named in its source, not in a constant.
    String webhook =
        Files.readString(
            RepositoryRoot.resolve(
                "starter/src/main/java/dev/opsflow/starter/alerts/AlertWebhook.java"));
    assertThat(webhook).contains("counter(\"opsflow_alerts_received\"");
    names.add("opsflow_alerts_received_total");
    return names;
  }

  private static Set<String> workflowMetricNames() throws Exception {
    try (OpsflowMetrics metrics = new OpsflowMetrics()) {
      Scope scope = metrics.temporalScope().tagged(Map.of("procedure", "MonitoringTest"));
      for (String counter :
          List.of(
              HealingMetrics.ACTIONS,
              HealingMetrics.CHECKS,
              RunMetrics.APPROVALS_REQUESTED,
              RunMetrics.APPROVALS_CLOSED,
              RunMetrics.ESCALATIONS)) {
        scope.counter(counter).inc(1);
      }
      for (String timer : List.of(HealingMetrics.LATENCY, RunMetrics.APPROVAL_WAIT)) {
        scope.timer(timer).record(com.uber.m3.util.Duration.ofSeconds(42));
      }
      // Closing the scope reports what it buffered; the registry still answers the scrape.
      metrics.temporalScope().close();
      Set<String> names = new HashSet<>();
      metrics
          .scrape()
          .lines()
          .filter(l -> l.startsWith("healing_") || l.startsWith("opsflow_"))
          .forEach(l -> names.add(l.split("[{ ]", 2)[0]));
      assertThat(names)
          .contains(
              "opsflow_approvals_requested_total",
              "opsflow_approvals_closed_total",
              "opsflow_escalations_total",
              "opsflow_approval_wait_seconds_max",
              "healing_latency_seconds_bucket");
      return names;
    }
  }
}
