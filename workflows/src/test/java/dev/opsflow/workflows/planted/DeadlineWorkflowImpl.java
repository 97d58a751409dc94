package dev.opsflow.workflows.planted;

import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * Looks deterministic on its own: the clock and the randomness hide one call away, in {@link
 * RetryDeadline}. The runbook is read through an activity stub, which the check must not follow.
 */
public class DeadlineWorkflowImpl implements DeadlineWorkflow {
  private final RunbookActivities runbooks =
      Workflow.newActivityStub(
          RunbookActivities.class,
          ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(5)).build());

  @Override
  public long deadline() {
    String runbook = runbooks.readRunbook("orders-consumer");
    return RetryDeadline.after(Duration.ofMinutes(5)).withJitter() + runbook.length();
  }
}
