package dev.opsflow.workflows.planted;

import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * Looks deterministic on its own: the clock, the randomness and a mutable static hide one call
 * away, in {@link RetryDeadline} and {@link WorkerBoot}. The runbook is read through an activity
 * stub, which the check must not follow.
 */
public class DeadlineWorkflowImpl implements DeadlineWorkflow {
  private final RunbookActivities runbooks =
      Workflow.newActivityStub(
          RunbookActivities.class,
          ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(5)).build());

  @Override
  public long deadline() {
    String runbook = runbooks.readRunbook("orders-consumer");
    long deadline = RetryDeadline.after(Duration.ofMinutes(5)).withJitter();
    return deadline + runbook.length() + WorkerBoot.bootedAtNanos() % 2;
  }
}
