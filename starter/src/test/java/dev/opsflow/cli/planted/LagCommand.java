package dev.opsflow.cli.planted;

import dev.opsflow.workflows.planted.LagCheck;
import dev.opsflow.workflows.planted.StepTimer;

/** Planted: a CLI verb that calls workflow-side code, which only works inside a workflow. */
public class LagCommand {
  public long since(long startMillis, LagCheck check) {
    return StepTimer.elapsedSince(startMillis);
  }
}
