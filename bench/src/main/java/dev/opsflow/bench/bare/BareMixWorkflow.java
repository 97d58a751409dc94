package dev.opsflow.bench.bare;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The bare yardstick of the throughput benchmark: as many no-op activities as an opsflow run made
 * in the same round, in the same mix of local activities (reads and governor signals, run inside
 * the workflow task) and normal ones (the action and its rollout wait, dispatched through the task
 * queue), with none of opsflow's logic.
 */
@WorkflowInterface
public interface BareMixWorkflow {
  /** Runs {@code local} no-op local activities, then {@code normal} no-op activities, in a row. */
  @WorkflowMethod(name = "BareMixWorkflow")
  int run(int local, int normal);
}
