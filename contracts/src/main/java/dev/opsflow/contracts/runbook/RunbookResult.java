package dev.opsflow.contracts.runbook;

import java.util.List;

/**
 * How a runbook execution ended: the workflow's result.
 *
 * @param runbookId the runbook's id
 * @param version the author's version of the pinned definition
 * @param sha256 the pinned content's hash
 * @param phase {@link RunbookPhase#SUCCEEDED}, {@link RunbookPhase#FAILED} or {@link
 *     RunbookPhase#CANCELLED}
 * @param dryRun whether it was a dry run
 * @param lastStep the last step taken ("" when none)
 * @param durationMillis from start to end, workflow time
 * @param history every step taken, in order
 * @param plan in a dry run, every action it would take
 * @param failure why it failed, as humans were told it ("" unless it failed)
 */
public record RunbookResult(
    String runbookId,
    String version,
    String sha256,
    RunbookPhase phase,
    boolean dryRun,
    String lastStep,
    long durationMillis,
    List<StepRecord> history,
    List<PlannedAction> plan,
    String failure) {
  public RunbookResult {
    lastStep = lastStep == null ? "" : lastStep;
    history = history == null ? List.of() : List.copyOf(history);
    plan = plan == null ? List.of() : List.copyOf(plan);
    failure = failure == null ? "" : failure;
  }

  public boolean succeeded() {
    return phase == RunbookPhase.SUCCEEDED;
  }
}
