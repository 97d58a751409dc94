package dev.opsflow.contracts.runbook;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A runbook as data: what a YAML file under {@code runbooks/} says, after it passed validation. The
 * human runbook structure ({@code symptoms} ... {@code prevention}) is part of it, so the file is
 * also the runbook's documentation. JSON-friendly, so that the definition a run was started with
 * travels pinned in the run's input.
 *
 * @param id stable name runs are started by, e.g. {@code high-error-rate}
 * @param name title for people
 * @param version the author's version of this runbook, shown by every run of it
 * @param manualMinutes what one run saves a human, for toil accounting (null: not estimated)
 * @param variables declared variables with their defaults; expressions read them by name and a
 *     run's input may override them
 * @param startWith the id of the first step
 */
public record RunbookDefinition(
    String id,
    String name,
    String description,
    String version,
    List<String> tags,
    List<String> symptoms,
    String impact,
    List<String> diagnosis,
    List<String> mitigation,
    List<String> prevention,
    Integer manualMinutes,
    Map<String, Object> variables,
    String startWith,
    List<RunbookStep> steps) {
  public RunbookDefinition {
    tags = tags == null ? List.of() : List.copyOf(tags);
    symptoms = symptoms == null ? List.of() : List.copyOf(symptoms);
    diagnosis = diagnosis == null ? List.of() : List.copyOf(diagnosis);
    mitigation = mitigation == null ? List.of() : List.copyOf(mitigation);
    prevention = prevention == null ? List.of() : List.copyOf(prevention);
    // LinkedHashMap, not Map.copyOf: declaration order is what a reader of the file expects, and a
    // default may be null (declared, no default).
    variables = variables == null ? Map.of() : new LinkedHashMap<>(variables);
    steps = steps == null ? List.of() : List.copyOf(steps);
  }

  /** The step with this id, or null. */
  public RunbookStep step(String stepId) {
    for (RunbookStep step : steps) {
      if (step.id().equals(stepId)) {
        return step;
      }
    }
    return null;
  }
}
