package dev.opsflow.worker;

import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;

/**
 * Whether the worker asks Temporal to send a workflow's next task back to it (a "sticky" task queue
 * of its own), so it can continue from the workflow state it keeps in memory instead of replaying
 * the history.
 *
 * <p>{@link #ON} is right against a real Temporal server: when the worker dies, the server moves
 * the task to the normal queue after the sticky schedule-to-start timeout (5 s) and another worker
 * replays it. {@link #OFF} is for the embedded service of {@code opsflow dev}: the Java test
 * service never moves a task off a dead worker's sticky queue, so a killed worker would strand its
 * runs (and the blast-radius governor) for good. Without sticky execution every workflow task goes
 * to the normal queue, which is what a real server does once a worker is gone.
 */
public enum StickyExecution {
  ON,
  OFF;

  WorkerFactoryOptions factoryOptions() {
    WorkerFactoryOptions.Builder builder = WorkerFactoryOptions.newBuilder();
    if (this == OFF) {
      // Nothing cached: each task replays the history, as it would on another worker.
      builder.setWorkflowCacheSize(0);
    }
    return builder.build();
  }

  WorkerOptions workerOptions() {
    WorkerOptions.Builder builder = WorkerOptions.newBuilder();
    if (this == OFF) {
      // A zero timeout makes the SDK complete workflow tasks without sticky attributes, so the
      // service schedules the next task on the task queue every worker polls.
      builder.setStickyQueueScheduleToStartTimeout(Duration.ZERO);
    }
    return builder.build();
  }
}
