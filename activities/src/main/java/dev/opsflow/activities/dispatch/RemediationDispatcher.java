package dev.opsflow.activities.dispatch;

import dev.opsflow.contracts.remediation.ActionMark;
import dev.opsflow.contracts.remediation.AdmissionRequest;
import dev.opsflow.contracts.remediation.DispatchResult;
import dev.opsflow.contracts.remediation.GovernorNames;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationSignals;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.util.Optional;

/**
 * The one path by which notifications reach remediations, shared by the Alertmanager webhook and
 * the periodic watchdogs. A firing notice is delivered with signal-with-start on the problem's
 * workflow ID: the first starts the remediation, every later one (resends, grouped alerts,
 * duplicates from an HA Alertmanager pair, the watchdog) lands in the same run. Deduplication is
 * Temporal's workflow-ID uniqueness plus the episode set inside the workflow, so it holds across
 * starter processes and restarts.
 */
public final class RemediationDispatcher {
  private final WorkflowClient client;
  private final String taskQueue;

  public RemediationDispatcher(WorkflowClient client, String taskQueue) {
    this.client = client;
    this.taskQueue = taskQueue;
  }

  public DispatchResult dispatch(RemediationRequest request) {
    String id = request.workflowId();
    if (request.alert().firing()) {
      WorkflowOptions options =
          WorkflowOptions.newBuilder()
              .setWorkflowId(id)
              .setTaskQueue(taskQueue)
              // A finished remediation (its cooldown over) does not block the next episode.
              .setWorkflowIdReusePolicy(
                  WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
              .build();
      String runId =
          signalWithStart(
              request.procedure(),
              options,
              RemediationSignals.ALERT_FIRED,
              new Object[] {request.alert()},
              new Object[] {request});
      return new DispatchResult(id, runId, DispatchResult.DELIVERED);
    }
    // Never start a remediation for a resolved alert; only tell a running one to stand down.
    WorkflowStub running = client.newUntypedWorkflowStub(id, Optional.empty(), Optional.empty());
    try {
      running.signal(RemediationSignals.ALERT_RESOLVED, request.alert());
      return new DispatchResult(id, running.getExecution().getRunId(), DispatchResult.DELIVERED);
    } catch (WorkflowNotFoundException e) {
      return new DispatchResult(id, "", DispatchResult.NO_RUNNING_REMEDIATION);
    }
  }

  /** Asks the governor for a slot, starting the governor if it is not running. */
  public void requestAdmission(AdmissionRequest request) {
    signalWithStart(
        GovernorNames.WORKFLOW_TYPE,
        governorOptions(),
        GovernorNames.REQUEST,
        new Object[] {request},
        new Object[] {null});
  }

  /** Gives a slot back. */
  public void releaseAdmission(String workflowId) {
    signalWithStart(
        GovernorNames.WORKFLOW_TYPE,
        governorOptions(),
        GovernorNames.RELEASE,
        new Object[] {workflowId},
        new Object[] {null});
  }

  /** Remembers an action on a problem in the governor (starting it if it is not running). */
  public void recordAction(ActionMark mark) {
    signalWithStart(
        GovernorNames.WORKFLOW_TYPE,
        governorOptions(),
        GovernorNames.ACTION_TAKEN,
        new Object[] {mark},
        new Object[] {null});
  }

  /**
   * The governor's memory of the last action on a problem still inside its cooldown; null when
   * there is none or no governor runs (then no action was recorded either).
   */
  public ActionMark lastAction(String problem) {
    try {
      return client
          .newUntypedWorkflowStub(GovernorNames.WORKFLOW_ID, Optional.empty(), Optional.empty())
          .query(GovernorNames.LAST_ACTION, ActionMark.class, problem);
    } catch (WorkflowNotFoundException e) {
      return null;
    }
  }

  private WorkflowOptions governorOptions() {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(GovernorNames.WORKFLOW_ID)
        .setTaskQueue(taskQueue)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
        .build();
  }

  /**
   * Signal-with-start that survives a race: when another starter started the same workflow at the
   * same moment (the server answers "already started"), the signal goes to that run; when that run
   * closed meanwhile, start again. Returns the run that got the signal.
   */
  private String signalWithStart(
      String type,
      WorkflowOptions options,
      String signal,
      Object[] signalArgs,
      Object[] startArgs) {
    WorkflowExecutionAlreadyStarted lastRace = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        return client
            .newUntypedWorkflowStub(type, options)
            .signalWithStart(signal, signalArgs, startArgs)
            .getRunId();
      } catch (WorkflowExecutionAlreadyStarted race) {
        lastRace = race;
        WorkflowStub running =
            client.newUntypedWorkflowStub(
                options.getWorkflowId(), Optional.empty(), Optional.empty());
        try {
          running.signal(signal, signalArgs);
          return running.getExecution().getRunId();
        } catch (WorkflowNotFoundException closedMeanwhile) {
          // The run that won the race is already gone: start a new one on the next attempt.
          continue;
        }
      }
    }
    throw lastRace;
  }
}
