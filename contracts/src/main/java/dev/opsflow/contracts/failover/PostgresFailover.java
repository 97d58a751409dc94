package dev.opsflow.contracts.failover;

import dev.opsflow.contracts.human.OperatorNames;
import dev.opsflow.contracts.human.Supervised;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Switchover or failover of one PostgreSQL cluster, human-gated: pre-checks, approval, fence the
 * primary, wait until the candidate replayed its final position, promote, verify it takes writes,
 * repoint the Service, notify. Before the promotion every failure, rejection or cancellation
 * unfences the old primary; after it nothing is undone and the old primary stays fenced.
 *
 * <p>One run per cluster: its workflow ID is {@link FailoverRequest#workflowId(String)}. Approve,
 * reject, retry/skip/fail a failed step and acknowledge with the {@link Supervised} names; {@code
 * progress} shows the step, {@code status} the timeline, LSNs and the data-loss figure.
 */
@WorkflowInterface
public interface PostgresFailover extends Supervised {
  /** The workflow type name (tctl, temporal CLI, opsflow start). */
  String TYPE = "PostgresFailover";

  @WorkflowMethod(name = TYPE)
  FailoverStatus failover(FailoverRequest request);

  @QueryMethod(name = OperatorNames.STATUS)
  FailoverStatus status();
}
