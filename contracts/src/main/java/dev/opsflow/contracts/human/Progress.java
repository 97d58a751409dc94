package dev.opsflow.contracts.human;

import java.util.List;

/**
 * Answer of the {@code progress} query: the same shape for every supervised workflow type, so the
 * REST API, the CLI and the approvals inbox read any run the same way.
 *
 * @param procedure the workflow type
 * @param target what the run works on (e.g. {@code demo/orders-consumer}); empty if nothing
 * @param severity critical, high, medium or low; empty if not applicable
 * @param phase where the run is (the type's own phase names)
 * @param currentStep a sentence on what it does or waits for now
 * @param startedAtMillis workflow time the run began
 * @param history steps taken, with timestamps and outcomes
 * @param waitingFor what waits for a human now (empty when nothing does)
 * @param cancelledBy who cancelled the run and why, where known (the cancel request's reason)
 */
public record Progress(
    String procedure,
    String target,
    String severity,
    String phase,
    String currentStep,
    long startedAtMillis,
    List<ActionRecord> history,
    List<HumanTask> waitingFor,
    String cancelledBy) {
  public Progress {
    history = history == null ? List.of() : List.copyOf(history);
    waitingFor = waitingFor == null ? List.of() : List.copyOf(waitingFor);
    cancelledBy = cancelledBy == null ? "" : cancelledBy;
  }
}
