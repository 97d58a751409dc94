package dev.opsflow.contracts.rollout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The objects an analysis measures: what the placeholders of a {@link MetricCheck#query()} stand
 * for. Every value must be a Kubernetes object name, which also keeps it harmless inside PromQL (it
 * is escaped as well, see {@link QueryTemplate}).
 *
 * @param namespace {@code {{namespace}}}: the rollout's namespace
 * @param service {@code {{service}}}: the Service in front of both versions; may be null when no
 *     query uses it
 * @param canary {@code {{canary}}}: the new version's Deployment (or preview colour)
 * @param stable {@code {{stable}}}: the current version's Deployment (or active colour); also what
 *     {@code {{canary}}} stands for when a condition compares with {@code stable}; may be null when
 *     nothing compares with it
 */
public record AnalysisSubject(String namespace, String service, String canary, String stable) {
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern OBJECT_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

  /** The placeholder values, as {@link QueryTemplate#render} takes them; unset ones are absent. */
  public Map<String, String> placeholderValues() {
    Map<String, String> values = new HashMap<>();
    put(values, "namespace", namespace);
    put(values, "service", service);
    put(values, "canary", canary);
    put(values, "stable", stable);
    return values;
  }

  /**
   * The same subject seen from the stable version: {@code {{canary}}} stands for the stable
   * Deployment, so a canary's query measures the stable version.
   */
  public AnalysisSubject asStable() {
    return new AnalysisSubject(namespace, service, stable, stable);
  }

  /** Problems, each starting with the field it is about; empty when the subject is usable. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (namespace == null || !NAMESPACE.matcher(namespace).matches()) {
      problems.add("namespace: " + describe(namespace) + " is not a Kubernetes namespace name");
    }
    checkName(problems, "service", service, false);
    checkName(problems, "canary", canary, true);
    checkName(problems, "stable", stable, false);
    return problems;
  }

  private static void checkName(List<String> problems, String field, String value, boolean needed) {
    if (value == null) {
      if (needed) {
        problems.add(field + ": is required");
      }
    } else if (!OBJECT_NAME.matcher(value).matches()) {
      problems.add(
          field
              + ": "
              + describe(value)
              + " is not a Kubernetes object name (lower-case letters, digits, '-' and '.')");
    }
  }

  private static String describe(String value) {
    return value == null ? "(missing)" : "'" + value + "'";
  }

  private static void put(Map<String, String> values, String key, String value) {
    if (value != null) {
      values.put(key, value);
    }
  }
}
