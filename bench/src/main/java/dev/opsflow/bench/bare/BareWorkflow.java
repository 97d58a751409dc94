package dev.opsflow.bench.bare;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The bare Temporal yardstick: the smallest workflow that does what an opsflow remediation does
 * with Temporal (some activities, an optional wait, signals that land in it), with none of
 * opsflow's logic. Every opsflow figure of the bench is paired with this workflow on the same
 * embedded service, so the ratio holds on a noisy machine.
 */
@WorkflowInterface
public interface BareWorkflow {
  /** The signal a notice arrives by, as {@code alertFired} does for a remediation. */
  String NOTICE = "notice";

  /** Runs {@code activities} no-op activities in a row, then waits {@code parkSeconds}. */
  @WorkflowMethod(name = "BareWorkflow")
  int run(int activities, long parkSeconds);

  @SignalMethod(name = NOTICE)
  void notice(String episode);

  /** Notices received so far. */
  @QueryMethod(name = "notices")
  int notices();

  /** True once the activities are done and the run waits. */
  @QueryMethod(name = "parked")
  boolean parked();
}
