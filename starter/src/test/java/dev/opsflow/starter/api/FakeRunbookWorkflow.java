package dev.opsflow.starter.api;

import dev.opsflow.contracts.human.ApprovalStatus;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.Progress;
import dev.opsflow.contracts.runbook.RunbookPhase;
import dev.opsflow.contracts.runbook.RunbookRequest;
import dev.opsflow.contracts.runbook.RunbookResult;
import dev.opsflow.contracts.runbook.RunbookStatus;
import dev.opsflow.contracts.runbook.RunbookWorkflow;
import dev.opsflow.contracts.runbook.StepRecord;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in for the interpreter (workflows/runbook) in tests of the door: it answers the {@code
 * status} query with what it was given (the pinned version, the context) and the first step as the
 * current one, records one step, and then waits until it is cancelled. A dry run ends at once,
 * SUCCEEDED. What the door is tested for is what it starts and reads, not the interpretation.
 */
public class FakeRunbookWorkflow implements RunbookWorkflow {
  private RunbookRequest request;
  private RunbookPhase phase = RunbookPhase.RUNNING;
  private final List<StepRecord> history = new ArrayList<>();
  private long startedAt;

  @Override
  public RunbookResult run(RunbookRequest request) {
    this.request = request;
    startedAt = Workflow.currentTimeMillis();
    String first = request.runbook().definition().startWith();
    boolean fails = request.simulatesFailureOf(first);
    history.add(
        new StepRecord(
            first,
            "check",
            "",
            fails ? StepRecord.StepOutcome.FAILED : StepRecord.StepOutcome.SUCCEEDED,
            startedAt,
            startedAt,
            fails ? 0 : 1,
            null,
            fails ? "simulated failure" : "",
            ""));
    if (!request.dryRun()) {
      Workflow.await(() -> false);
    }
    phase = RunbookPhase.SUCCEEDED;
    return new RunbookResult(
        request.runbook().definition().id(),
        request.runbook().definition().version(),
        request.runbook().sha256(),
        phase,
        request.dryRun(),
        first,
        0,
        history,
        List.of(),
        "");
  }

  /** The door's tests start no action, so the governor never answers. */
  @Override
  public void admitted() {}

  @Override
  public RunbookStatus status() {
    return new RunbookStatus(
        request.runbook().definition().id(),
        request.runbook().definition().version(),
        request.runbook().sha256(),
        request.runbook().source(),
        phase,
        phase.ended() ? "" : request.runbook().definition().startWith(),
        startedAt,
        null,
        request.dryRun(),
        request.context(),
        history,
        List.of(),
        List.of(),
        List.of(),
        "");
  }

  @Override
  public Progress progress() {
    return new Progress(
        RunbookWorkflow.TYPE,
        "",
        "",
        phase.name(),
        "step " + request.runbook().definition().startWith(),
        startedAt,
        List.of(),
        List.of(),
        "");
  }

  @Override
  public void approve(Decision decision) {}

  @Override
  public void reject(Decision decision) {}

  @Override
  public ApprovalStatus approveChecked(Decision decision) {
    throw ApplicationFailure.newFailure("nothing waits", "NotWaiting");
  }

  @Override
  public void validateApprove(Decision decision) {
    throw ApplicationFailure.newFailure("nothing waits", "NotWaiting");
  }

  @Override
  public ApprovalStatus rejectChecked(Decision decision) {
    throw ApplicationFailure.newFailure("nothing waits", "NotWaiting");
  }

  @Override
  public void validateReject(Decision decision) {
    throw ApplicationFailure.newFailure("nothing waits", "NotWaiting");
  }

  @Override
  public void retryStep(Decision decision) {}

  @Override
  public void skipStep(Decision decision) {}

  @Override
  public void failStep(Decision decision) {}

  @Override
  public void acknowledge(Decision decision) {}
}
