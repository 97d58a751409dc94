package dev.opsflow.workflows.planted;

/** Keeps state in a non-final static field: shared by every run on a worker, lost on restart. */
public class CountingWorkflowImpl implements CountingWorkflow {
  private static int started;

  @Override
  public int count() {
    return ++started;
  }
}
