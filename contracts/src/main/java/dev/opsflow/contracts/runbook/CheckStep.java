package dev.opsflow.contracts.runbook;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Asks something that only reads (an HTTP probe, a PromQL query, a read-only SQL query, a
 * Kubernetes condition, a command where commands are enabled) and answers true or false.
 *
 * @param probe a probe of {@link RunbookCatalog}, e.g. {@code prometheus.query}
 * @param parameters the probe's parameters by name; strings may hold {@code {{ expression }}}
 * @param condition CEL over the context and {@code result} (the probe's answer) that makes the
 *     check pass; null: the probe's own verdict (an HTTP probe's expected status, a condition that
 *     holds)
 * @param timeout the longest one try may take, e.g. {@code 30s}
 */
public record CheckStep(
    String id,
    String description,
    String probe,
    Map<String, Object> parameters,
    String condition,
    String timeout,
    RetryPolicy retry,
    String onSuccess,
    String onFailure)
    implements RunbookStep {
  public CheckStep {
    parameters = parameters == null ? Map.of() : new LinkedHashMap<>(parameters);
  }

  @Override
  public Map<String, String> transitions() {
    return Transitions.of("onSuccess", onSuccess, "onFailure", onFailure);
  }
}
