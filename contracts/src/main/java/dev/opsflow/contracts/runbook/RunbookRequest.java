package dev.opsflow.contracts.runbook;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Asks for one execution of a runbook. The definition travels in the input, pinned (content and
 * hash), so editing the file never changes a run already started.
 *
 * <p>As tctl JSON: {@code {"runbook":{...},"context":{"service":"orders"},"by":"alice"}}.
 *
 * @param runbook the definition as it was read and validated when the run was asked for
 * @param context the run's input: expressions read it as {@code input}, and a key named like a
 *     declared variable overrides that variable's default
 * @param dryRun walk the runbook, run only what reads, report each action it would take
 * @param simulateFailures test mode: these steps fail without running, so that failure paths can be
 *     exercised (every id must be a step of the runbook)
 * @param by who asked ({@code opsflow} for the automaton); under four-eyes they cannot approve
 * @param severity critical, high, medium or low (null: the runbook's {@code critical} tag makes it
 *     critical, else medium)
 */
public record RunbookRequest(
    PinnedRunbook runbook,
    Map<String, Object> context,
    boolean dryRun,
    List<String> simulateFailures,
    String by,
    String severity) {
  /** Who asked when nobody is named: the automaton. */
  public static final String AUTOMATON = "opsflow";

  public RunbookRequest {
    context = context == null ? Map.of() : new LinkedHashMap<>(context);
    simulateFailures = simulateFailures == null ? List.of() : List.copyOf(simulateFailures);
    by = by == null || by.isBlank() ? AUTOMATON : by;
    severity = severity == null || severity.isBlank() ? null : severity;
  }

  /** Whether {@code stepId} is one test mode makes fail. */
  public boolean simulatesFailureOf(String stepId) {
    return simulateFailures.contains(stepId);
  }
}
