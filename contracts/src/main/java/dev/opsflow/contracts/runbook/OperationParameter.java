package dev.opsflow.contracts.runbook;

/**
 * One parameter of a catalog operation.
 *
 * @param name as written under the step's {@code parameters}
 * @param required a step that omits it is refused
 */
public record OperationParameter(
    String name, ParameterType type, boolean required, String description) {
  static OperationParameter required(String name, ParameterType type, String description) {
    return new OperationParameter(name, type, true, description);
  }

  static OperationParameter optional(String name, ParameterType type, String description) {
    return new OperationParameter(name, type, false, description);
  }
}
