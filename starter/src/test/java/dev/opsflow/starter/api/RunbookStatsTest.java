package dev.opsflow.starter.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsflow.contracts.runbook.RunbookPhase;
import dev.opsflow.contracts.runbook.RunbookResult;
import dev.opsflow.contracts.runbook.StepRecord;
import dev.opsflow.contracts.runbook.StepRecord.StepOutcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunbookStatsTest {
  private static StepRecord step(String id, StepOutcome outcome) {
    return new StepRecord(id, "action", "", outcome, 0, 0, 1, null, "", "");
  }

  private static RunbookStats.ClosedRun run(
      String id, RunbookPhase phase, boolean dryRun, long millis, StepRecord... steps) {
    return new RunbookStats.ClosedRun(
        id,
        "COMPLETED",
        new RunbookResult(
            id,
            "1",
            "abc",
            phase,
            dryRun,
            steps.length == 0 ? "" : steps[steps.length - 1].stepId(),
            millis,
            List.of(steps),
            List.of(),
            ""),
        millis);
  }

  @Test
  void countsSuccessRateAverageDurationAndRanksTheStepsFailedRunsFailedAt() {
    List<RunbookStats> stats =
        RunbookStats.of(
            List.of(
                run(
                    "restart",
                    RunbookPhase.SUCCEEDED,
                    false,
                    1_000,
                    step("a", StepOutcome.SUCCEEDED)),
                run(
                    "restart",
                    RunbookPhase.FAILED,
                    false,
                    3_000,
                    step("a", StepOutcome.FAILED),
                    step("page", StepOutcome.SUCCEEDED)),
                run("restart", RunbookPhase.FAILED, false, 2_000, step("b", StepOutcome.FAILED)),
                run("restart", RunbookPhase.FAILED, false, 2_000, step("a", StepOutcome.FAILED)),
                new RunbookStats.ClosedRun("restart", "TERMINATED", null, 4_000),
                new RunbookStats.ClosedRun("restart", "CANCELED", null, 500),
                // A dry run changes nothing: not counted.
                run("restart", RunbookPhase.FAILED, true, 100, step("b", StepOutcome.FAILED)),
                run("other", RunbookPhase.SUCCEEDED, false, 10_000)));

    assertThat(stats).extracting(RunbookStats::runbookId).containsExactly("other", "restart");
    RunbookStats restart = stats.get(1);
    assertThat(restart.runs()).isEqualTo(6);
    assertThat(restart.succeeded()).isEqualTo(1);
    assertThat(restart.failed()).isEqualTo(4);
    assertThat(restart.cancelled()).isEqualTo(1);
    assertThat(restart.successRate()).isEqualTo(1.0 / 6);
    assertThat(restart.averageMillis())
        .isEqualTo((1_000 + 3_000 + 2_000 + 2_000 + 4_000 + 500) / 6);
    assertThat(restart.failurePoints())
        .containsExactly(
            Map.entry("a", 2), Map.entry(RunbookStats.RUN_ENDED, 1), Map.entry("b", 1));
    assertThat(stats.get(0).successRate()).isEqualTo(1.0);
  }
}
