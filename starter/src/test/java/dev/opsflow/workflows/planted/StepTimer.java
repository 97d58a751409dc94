package dev.opsflow.workflows.planted;

import io.temporal.workflow.Workflow;

/** Workflow-side code: it calls the Workflow API, so it runs only inside a workflow. */
public final class StepTimer {
  private StepTimer() {}

  public static long elapsedSince(long startMillis) {
    return Workflow.currentTimeMillis() - startMillis;
  }
}
