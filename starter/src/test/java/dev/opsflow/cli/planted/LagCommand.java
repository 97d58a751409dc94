package dev.opsflow.cli.planted;

import dev.opsflow.starter.planted.LagEndpoint;
import dev.opsflow.workflows.planted.LagCheck;
import dev.opsflow.workflows.planted.StepTimer;

/**
 * Planted: a CLI verb that calls workflow-side code, which only works inside a workflow, and that
 * borrows from an HTTP handler which borrows from it. Its use of the workflow interface is allowed.
 */
public class LagCommand {
  public long since(long startMillis, LagCheck check) {
    return StepTimer.elapsedSince(startMillis);
  }

  public String check(String consumerGroup) {
    return new LagEndpoint().check(consumerGroup).toString();
  }
}
