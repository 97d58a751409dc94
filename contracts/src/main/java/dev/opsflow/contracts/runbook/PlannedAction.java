package dev.opsflow.contracts.runbook;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a dry run would have done at an action step (or a notify step), instead of doing it.
 *
 * @param stepId the step
 * @param scope where it stands (see {@link StepRecord#scope()})
 * @param operation the catalog action ({@code kubernetes.scale}) or {@code notify.<channel>}
 * @param parameters its parameters with every {@code {{ }}} evaluated against the context
 * @param detail the sentence a reviewer reads: "would scale demo/orders to 4 replicas"
 */
public record PlannedAction(
    String stepId, String scope, String operation, Map<String, Object> parameters, String detail) {
  public PlannedAction {
    scope = scope == null ? "" : scope;
    parameters = parameters == null ? Map.of() : new LinkedHashMap<>(parameters);
    detail = detail == null ? "" : detail;
  }
}
