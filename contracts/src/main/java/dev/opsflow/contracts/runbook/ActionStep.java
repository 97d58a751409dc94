package dev.opsflow.contracts.runbook;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Does one registered action of {@link RunbookCatalog} (scale a Deployment, terminate idle
 * sessions, call an HTTP endpoint, ...), through the server's safety policy like every built-in
 * procedure.
 *
 * @param action an action of {@link RunbookCatalog}, e.g. {@code kubernetes.scale}
 * @param parameters the action's parameters by name; strings may hold {@code {{ expression }}}
 * @param timeout the longest one try may take, e.g. {@code 2m}
 */
public record ActionStep(
    String id,
    String description,
    String action,
    Map<String, Object> parameters,
    String timeout,
    RetryPolicy retry,
    String onSuccess,
    String onFailure)
    implements RunbookStep {
  public ActionStep {
    parameters = parameters == null ? Map.of() : new LinkedHashMap<>(parameters);
  }

  @Override
  public Map<String, String> transitions() {
    return Transitions.of("onSuccess", onSuccess, "onFailure", onFailure);
  }
}
