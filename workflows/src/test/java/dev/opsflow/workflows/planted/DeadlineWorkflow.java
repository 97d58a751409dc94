package dev.opsflow.workflows.planted;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** A workflow that computes a retry deadline (planted: through a helper that reads the clock). */
@WorkflowInterface
public interface DeadlineWorkflow {
  @WorkflowMethod
  long deadline();
}
