package dev.opsflow.contracts.rollout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The metrics that judge a version during a rollout step (Argo Rollouts' AnalysisTemplate). All
 * metrics run side by side; the analysis fails as soon as one deciding metric fails, and passes
 * only when every deciding metric passed. {@link MetricCheck#dryRun() Dry-run} metrics are measured
 * and shown, never decide.
 *
 * @param name the template's name, e.g. {@code http-health}
 * @param metrics at least one, with unique names, at least one of them not a dry run
 */
public record AnalysisTemplate(String name, List<MetricCheck> metrics) {

  public AnalysisTemplate {
    metrics = metrics == null ? List.of() : List.copyOf(metrics);
  }

  /** The metric named {@code name}, or null. */
  public MetricCheck metric(String name) {
    return metrics.stream()
        .filter(m -> m.name() != null && m.name().equals(name))
        .findFirst()
        .orElse(null);
  }

  /**
   * Problems that need no expression compiler, each starting with the field it is about (e.g.
   * {@code metrics[error-rate].failureLimit: ...}); empty when none.
   */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (name == null || name.isBlank()) {
      problems.add("name: is required");
    }
    if (metrics.isEmpty()) {
      problems.add("metrics: at least one metric is required");
      return problems;
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < metrics.size(); i++) {
      MetricCheck metric = metrics.get(i);
      if (metric == null) {
        problems.add("metrics[" + i + "]: is empty");
        continue;
      }
      String field = fieldOf(i, metric);
      if (metric.name() != null && !seen.add(metric.name())) {
        problems.add(field + ".name: '" + metric.name() + "' is used by another metric");
      }
      for (String problem : metric.problems()) {
        problems.add(field + "." + problem);
      }
    }
    if (metrics.stream().allMatch(m -> m == null || m.dryRun())) {
      problems.add("metrics: every metric is a dry run, so nothing would decide the analysis");
    }
    return problems;
  }

  /** How a metric is named in a problem: by its name when it has one, else by its position. */
  public static String fieldOf(int index, MetricCheck metric) {
    return "metrics["
        + (metric.name() == null || metric.name().isBlank() ? String.valueOf(index) : metric.name())
        + "]";
  }
}
