package dev.opsflow.workflows.planted;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** A workflow that counts its starts (planted: in a non-final static field). */
@WorkflowInterface
public interface CountingWorkflow {
  @WorkflowMethod
  int count();
}
