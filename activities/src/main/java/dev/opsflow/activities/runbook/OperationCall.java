package dev.opsflow.activities.runbook;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One probe or action of a runbook step, with its parameters evaluated.
 *
 * @param actionId made by the workflow for this step's run (the same on every retry), so that a
 *     retried action changes nothing twice
 * @param operation the catalog name, e.g. {@code kubernetes.scale}
 * @param parameters the step's parameters with every {@code {{ }}} evaluated
 * @param timeoutSeconds the step's timeout, for operations that wait (a command's own limit)
 */
public record OperationCall(
    String actionId, String operation, Map<String, Object> parameters, long timeoutSeconds) {
  public OperationCall {
    parameters = parameters == null ? Map.of() : new LinkedHashMap<>(parameters);
  }
}
