package dev.opsflow.contracts.runbook;

import dev.opsflow.contracts.human.OperatorNames;
import dev.opsflow.contracts.human.Supervised;
import dev.opsflow.contracts.remediation.RemediationSignals;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Interprets one runbook definition, pinned at start ({@link RunbookRequest#runbook()}): walks its
 * steps from {@code startWith} through their transitions, keeps every step's result in the run's
 * context ({@code steps.ID.result}), and ends in a decision: success, or a failure told to a human
 * with its reason. A dry run walks the same steps, runs what only reads and reports each action it
 * would take with its parameters, changing nothing.
 *
 * <p>Workflow ID: {@link RunbookNames#workflowId(String, String)}. Approve or reject an approval
 * step, answer a failed step and acknowledge with the {@link Supervised} names; cancel it as any
 * workflow (its reason is recorded); {@code progress} shows the step, {@code status} the pinned
 * version, the context, every step record and every event.
 */
@WorkflowInterface
public interface RunbookWorkflow extends Supervised {
  /** The workflow type name (tctl, temporal CLI, opsflow start). */
  String TYPE = "RunbookWorkflow";

  @WorkflowMethod(name = TYPE)
  RunbookResult run(RunbookRequest request);

  /**
   * The blast-radius governor admitted the run's mutating Kubernetes action (the governor's answer
   * to the slot the run asked for before acting).
   */
  @SignalMethod(name = RemediationSignals.ADMITTED)
  void admitted();

  /** The run's detailed state: version and hash it runs, context, step records, events, plan. */
  @QueryMethod(name = OperatorNames.STATUS)
  RunbookStatus status();
}
