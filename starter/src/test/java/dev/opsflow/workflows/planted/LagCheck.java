package dev.opsflow.workflows.planted;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** A workflow interface: the HTTP and CLI layers may depend on it. */
@WorkflowInterface
public interface LagCheck {
  @WorkflowMethod
  LagReport check(String consumerGroup);
}
