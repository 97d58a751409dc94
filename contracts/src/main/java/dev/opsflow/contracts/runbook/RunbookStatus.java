package dev.opsflow.contracts.runbook;

import dev.opsflow.contracts.human.HumanTask;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A runbook execution's state: the {@code status} query's answer.
 *
 * @param runbookId the runbook's id
 * @param version the author's version of the pinned definition
 * @param sha256 the pinned content's hash: which file content this run runs
 * @param source where the definition was read (a file name)
 * @param phase where the run stands
 * @param currentStep the step running or waiting now ("" before the first and after the end)
 * @param startedAtMillis workflow time the run began
 * @param endedAtMillis workflow time it ended (null while it runs)
 * @param dryRun whether this is a dry run
 * @param context what expressions read: {@code input} (the run's input with the declared variables'
 *     defaults under it) and {@code steps} (each step's {@code result}, {@code outcome}, {@code
 *     error} by step id)
 * @param history every step taken, in order
 * @param events every event, in order (also delivered to subscribers)
 * @param plan in a dry run, every action it would take, in order (empty for a real run)
 * @param waitingFor what waits for a human now
 * @param failure why the run failed, as humans were told it ("" unless it failed)
 */
public record RunbookStatus(
    String runbookId,
    String version,
    String sha256,
    String source,
    RunbookPhase phase,
    String currentStep,
    long startedAtMillis,
    Long endedAtMillis,
    boolean dryRun,
    Map<String, Object> context,
    List<StepRecord> history,
    List<RunbookEvent> events,
    List<PlannedAction> plan,
    List<HumanTask> waitingFor,
    String failure) {
  public RunbookStatus {
    currentStep = currentStep == null ? "" : currentStep;
    context = context == null ? Map.of() : new LinkedHashMap<>(context);
    history = history == null ? List.of() : List.copyOf(history);
    events = events == null ? List.of() : List.copyOf(events);
    plan = plan == null ? List.of() : List.copyOf(plan);
    waitingFor = waitingFor == null ? List.of() : List.copyOf(waitingFor);
    failure = failure == null ? "" : failure;
  }
}
