package dev.opsflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opsflow.workflows.remediation.HealingMetrics;
import io.temporal.worker.MetricsType;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
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
      Pattern.compile("\\b([a-z_]+_(?:total|bucket|seconds_bucket)|up)\\b(?=[{\\[ )])");

  @Test
  void alertRulesQueryExportedMetrics() throws IOException {
    Map<?, ?> file = new Yaml().load(Files.readString(FILES.resolve("opsflow-alerts.yml")));
    List<String> exprs = new ArrayList<>();
    List<String> alerts = new ArrayList<>();
    for (Object group : (List<?>) file.get("groups")) {
      for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
        exprs.add((String) ((Map<?, ?>) rule).get("expr"));
        alerts.add((String) ((Map<?, ?>) rule).get("alert"));
      }
    }
    assertThat(alerts).contains("OpsflowWorkerDown", "OpsflowEscalationsRising");
    assertExported(exprs);
  }

  @Test
  void dashboardPanelsQueryExportedMetrics() throws IOException {
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
            "Failure points");
    assertExported(exprs);
  }

  private static void assertExported(List<String> exprs) throws IOException {
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
   * Prometheus names of opsflow's meters and the SDK's counters (counter: _total; timer:
   * _seconds_bucket).
   */
  private static Set<String> exportedMetricNames() throws IOException {
    Set<String> names = new HashSet<>(Set.of("up"));
    names.add(HealingMetrics.ACTIONS + "_total");
    names.add(HealingMetrics.CHECKS + "_total");
    names.add(HealingMetrics.LATENCY + "_seconds_bucket");
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
}
