package dev.opsflow.starter.api;

import dev.opsflow.contracts.runbook.RunbookPhase;
import dev.opsflow.contracts.runbook.RunbookResult;
import dev.opsflow.contracts.runbook.StepRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a runbook's finished runs went: success rate, average duration and where the failed ones
 * failed, from the closed runs themselves (each run's {@link RunbookResult}, or its Temporal status
 * when it ended without one). Dry runs are left out: they change nothing and say nothing about how
 * the runbook fares.
 *
 * @param runbookId the runbook
 * @param runs finished real runs counted
 * @param succeeded runs that ended SUCCEEDED
 * @param failed runs that ended FAILED, or whose workflow failed, timed out or was terminated
 * @param cancelled runs that were cancelled
 * @param averageMillis mean duration of the counted runs
 * @param failurePoints the steps failed runs failed at, most common first, with their counts
 */
public record RunbookStats(
    String runbookId,
    int runs,
    int succeeded,
    int failed,
    int cancelled,
    long averageMillis,
    Map<String, Integer> failurePoints) {

  /** Where a failed run stopped when no step record says: the run's own end. */
  public static final String RUN_ENDED = "(the run itself)";

  /**
   * One closed run.
   *
   * @param status Temporal's status (COMPLETED, FAILED, CANCELED, TERMINATED, TIMED_OUT)
   * @param result the run's result when it completed, else null
   * @param durationMillis start to close
   */
  public record ClosedRun(
      String runbookId, String status, RunbookResult result, long durationMillis) {}

  /** The share of counted runs that succeeded, 0 when none were counted. */
  public double successRate() {
    return runs == 0 ? 0 : (double) succeeded / runs;
  }

  /** Statistics per runbook, in runbook id order. */
  public static List<RunbookStats> of(List<ClosedRun> closed) {
    Map<String, List<ClosedRun>> byRunbook = new TreeMap<>();
    for (ClosedRun run : closed) {
      if (run.runbookId() == null || (run.result() != null && run.result().dryRun())) {
        continue;
      }
      byRunbook.computeIfAbsent(run.runbookId(), k -> new ArrayList<>()).add(run);
    }
    List<RunbookStats> stats = new ArrayList<>();
    byRunbook.forEach((id, runs) -> stats.add(one(id, runs)));
    return stats;
  }

  private static RunbookStats one(String runbookId, List<ClosedRun> runs) {
    int succeeded = 0;
    int failed = 0;
    int cancelled = 0;
    long total = 0;
    Map<String, Integer> points = new LinkedHashMap<>();
    for (ClosedRun run : runs) {
      total += run.durationMillis();
      RunbookPhase phase = phase(run);
      if (phase == RunbookPhase.SUCCEEDED) {
        succeeded++;
      } else if (phase == RunbookPhase.CANCELLED) {
        cancelled++;
      } else {
        failed++;
        points.merge(failurePoint(run.result()), 1, Integer::sum);
      }
    }
    Map<String, Integer> ranked = new LinkedHashMap<>();
    points.entrySet().stream()
        .sorted(
            Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue)
                .reversed()
                .thenComparing(Map.Entry::getKey))
        .forEach(e -> ranked.put(e.getKey(), e.getValue()));
    return new RunbookStats(
        runbookId, runs.size(), succeeded, failed, cancelled, total / runs.size(), ranked);
  }

  private static RunbookPhase phase(ClosedRun run) {
    if (run.result() != null && run.result().phase() != null) {
      return run.result().phase();
    }
    return "CANCELED".equals(run.status()) ? RunbookPhase.CANCELLED : RunbookPhase.FAILED;
  }

  /** The last step that failed, else the last step taken, else the run itself. */
  private static String failurePoint(RunbookResult result) {
    if (result == null) {
      return RUN_ENDED;
    }
    for (int i = result.history().size() - 1; i >= 0; i--) {
      StepRecord step = result.history().get(i);
      if (step.outcome() == StepRecord.StepOutcome.FAILED) {
        return step.stepId();
      }
    }
    return result.lastStep().isBlank() ? RUN_ENDED : result.lastStep();
  }
}
