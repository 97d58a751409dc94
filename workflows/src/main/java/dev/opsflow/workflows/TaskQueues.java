package dev.opsflow.workflows;

import java.util.List;

/** The task queues opsflow defines. The worker polls all of them; starters route to them. */
public final class TaskQueues {
  /** Procedures and their activities (remediation, failover, rollouts, runbooks). */
  public static final String OPERATIONS = "opsflow";

  public static final List<String> ALL = List.of(OPERATIONS);

  private TaskQueues() {}
}
