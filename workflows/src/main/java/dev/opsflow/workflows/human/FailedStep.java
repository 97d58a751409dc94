package dev.opsflow.workflows.human;

import dev.opsflow.contracts.human.ApprovalRecord;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.HumanTask;
import dev.opsflow.contracts.human.OperatorNames;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;

/**
 * A step that failed after its retries, waiting for a human to say retry, skip (only where the step
 * allows it) or fail. An answer that does not count (no name, a skip the step does not allow, an
 * answer after the question closed) is refused with a reason and recorded by the caller.
 */
public final class FailedStep {
  /** The human's answer (or the timeout's). */
  public enum Answer {
    PENDING,
    RETRY,
    SKIP,
    FAIL
  }

  private final String step;
  private final String error;
  private final boolean skippable;
  private final long sinceMillis;
  private final long deadlineMillis;
  private Answer answer = Answer.PENDING;
  private String answeredBy = "";

  public FailedStep(String step, String error, boolean skippable, long timeoutSeconds) {
    this.step = step;
    this.error = error;
    this.skippable = skippable;
    this.sinceMillis = Workflow.currentTimeMillis();
    this.deadlineMillis = sinceMillis + timeoutSeconds * 1000;
  }

  /** Why this answer would not count, or null when it would. */
  public String refusal(Answer given, Decision decision) {
    if (answer != Answer.PENDING) {
      return "the failed step was already answered: " + answer.name().toLowerCase();
    }
    if (decision == null || decision.by() == null || decision.by().isBlank()) {
      return "'by' is required: who decides";
    }
    if (given == Answer.SKIP && !skippable) {
      return step + " cannot be skipped: answer retryStep or failStep";
    }
    return null;
  }

  /** Applies the answer if it counts; returns the record to keep either way. */
  public ApprovalRecord answer(Answer given, Decision decision) {
    String refusal = refusal(given, decision);
    if (refusal == null) {
      answer = given;
      answeredBy = decision.by();
    }
    return new ApprovalRecord(
        decision == null || decision.by() == null ? "" : decision.by(),
        given != Answer.FAIL,
        given.name().toLowerCase()
            + " "
            + step
            + (decision == null || decision.comment() == null ? "" : ": " + decision.comment()),
        Workflow.currentTimeMillis(),
        refusal == null ? "" : refusal);
  }

  /** Waits for the answer; nobody answering in time fails the step. */
  public Answer await() {
    boolean answered =
        Workflow.await(
            Duration.ofMillis(Math.max(0, deadlineMillis - Workflow.currentTimeMillis())),
            () -> answer != Answer.PENDING);
    if (!answered) {
      answer = Answer.FAIL;
      answeredBy = "timeout";
    }
    return answer;
  }

  public boolean answered() {
    return answer != Answer.PENDING;
  }

  public String answeredBy() {
    return answeredBy;
  }

  public String step() {
    return step;
  }

  public HumanTask task() {
    return new HumanTask(
        HumanTask.FAILED_STEP,
        step,
        error,
        "opsflow",
        List.of(),
        1,
        0,
        sinceMillis,
        deadlineMillis,
        skippable
            ? List.of(OperatorNames.RETRY_STEP, OperatorNames.SKIP_STEP, OperatorNames.FAIL_STEP)
            : List.of(OperatorNames.RETRY_STEP, OperatorNames.FAIL_STEP));
  }
}
