package dev.opsflow.workflows.kernel;

import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInfo;

/**
 * How long a run's history may grow before the run continues as new at its next safe wait. A run
 * can wait for days (an approval, the governor's admission, a cooldown) while an alert storm keeps
 * signalling it: one event or more per notice. Temporal warns at 10,240 events or 10 MiB and
 * terminates a run at 51,200 events or 50 MiB, so a run hands over well before the warning: past
 * {@link #EVENTS} events, past {@link #BYTES} bytes, or when the server suggests it.
 */
public final class HistoryBound {
  /** Events after which a run hands over to a fresh run (half of Temporal's warning). */
  public static final long EVENTS = 5_000;

  /** History size after which a run hands over (half of Temporal's 10 MiB warning). */
  public static final long BYTES = 5L * 1024 * 1024;

  private HistoryBound() {}

  /** True once the current run's history is past the bound (deterministic: read from the task). */
  public static boolean reached() {
    WorkflowInfo info = Workflow.getInfo();
    return info.getHistoryLength() > EVENTS
        || info.getHistorySize() > BYTES
        || info.isContinueAsNewSuggested();
  }
}
