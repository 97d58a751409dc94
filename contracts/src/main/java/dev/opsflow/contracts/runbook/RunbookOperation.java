package dev.opsflow.contracts.runbook;

import java.util.List;

/**
 * A probe a {@code check} step may ask or an action an {@code action} step may take, with its
 * parameters.
 *
 * @param name as written in the step ({@code probe:} or {@code action:}), e.g. {@code
 *     kubernetes.scale}
 * @param kind whether a check or an action step names it
 * @param mutates it changes something: dry-run reports it instead of doing it (every probe reads)
 * @param needsCommands it runs a command, which only a server with commands enabled allows
 */
public record RunbookOperation(
    String name,
    Kind kind,
    boolean mutates,
    boolean needsCommands,
    String description,
    List<OperationParameter> parameters) {
  /** Which step kind may name the operation. */
  public enum Kind {
    /** Named by a {@code check} step's {@code probe}: reads, answers. */
    PROBE,
    /** Named by an {@code action} step's {@code action}. */
    ACTION
  }

  public RunbookOperation {
    parameters = List.copyOf(parameters);
  }

  /** The parameter with this name, or null. */
  public OperationParameter parameter(String parameterName) {
    return parameters.stream().filter(p -> p.name().equals(parameterName)).findFirst().orElse(null);
  }
}
