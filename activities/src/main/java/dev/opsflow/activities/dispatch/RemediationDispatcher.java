package dev.opsflow.activities.dispatch;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import dev.opsflow.contracts.remediation.ActionMark;
import dev.opsflow.contracts.remediation.AdmissionRequest;
import dev.opsflow.contracts.remediation.DispatchResult;
import dev.opsflow.contracts.remediation.GovernorNames;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationSignals;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.common.v1.WorkflowType;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.SignalWithStartWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.SignalWithStartWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The one path by which notifications reach remediations, shared by the Alertmanager webhook and
 * the periodic watchdogs. A firing notice is delivered with signal-with-start on the problem's
 * workflow ID: the first starts the remediation, every later one (resends, grouped alerts,
 * duplicates from an HA Alertmanager pair, the watchdog) lands in the same run. Deduplication is
 * Temporal's workflow-ID uniqueness plus the episode set inside the workflow, so it holds across
 * starter processes and restarts.
 */
public final class RemediationDispatcher {
  /**
   * Waits between attempts of a batch whose call the frontend refused for now (unavailable,
   * overloaded) or lost a start race; the request's deadline bounds them all.
   */
  private static final long[] BACKOFF_MILLIS = {20, 100, 300, 600, 1000};

  private static final ScheduledExecutorService RETRIES =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "opsflow-dispatch-retry");
            t.setDaemon(true);
            return t;
          });

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

  /**
   * Delivers firing notices of one problem together: one signal-with-start of {@value
   * RemediationSignals#NOTICES_FIRED} carrying them all, started (when no run is on the problem)
   * with the first of them as the request, as {@link #dispatch} starts with its notice. Made on
   * gRPC's asynchronous stub, so that no thread waits for Temporal's answer and the number of
   * notices in flight is not bounded by a thread pool. The future fails with the gRPC status when
   * Temporal does not accept the signal before {@code deadline}.
   *
   * @param sameProblem firing requests that all have the same workflow ID, at least one
   */
  public CompletableFuture<DispatchResult> dispatchFiring(
      List<RemediationRequest> sameProblem, Deadline deadline) {
    RemediationRequest first = sameProblem.get(0);
    List<dev.opsflow.contracts.run.AlertNotice> notices =
        sameProblem.stream().map(RemediationRequest::alert).toList();
    SignalWithStartWorkflowExecutionRequest.Builder call =
        SignalWithStartWorkflowExecutionRequest.newBuilder()
            .setNamespace(client.getOptions().getNamespace())
            .setWorkflowId(first.workflowId())
            .setWorkflowType(WorkflowType.newBuilder().setName(first.procedure()))
            .setTaskQueue(TaskQueue.newBuilder().setName(taskQueue))
            .setInput(payloads(first))
            .setSignalName(RemediationSignals.NOTICES_FIRED)
            .setSignalInput(payloads(notices))
            .setIdentity(client.getOptions().getIdentity())
            // A finished remediation (its cooldown over) does not block the next episode.
            .setWorkflowIdReusePolicy(
                WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE);
    CompletableFuture<DispatchResult> result = new CompletableFuture<>();
    attempt(call, deadline, 0, result);
    return result;
  }

  private void attempt(
      SignalWithStartWorkflowExecutionRequest.Builder call,
      Deadline deadline,
      int retry,
      CompletableFuture<DispatchResult> result) {
    // A new request ID per attempt: an attempt after a lost start race must not be taken for the
    // one that lost.
    SignalWithStartWorkflowExecutionRequest request =
        call.setRequestId(UUID.randomUUID().toString()).build();
    Futures.addCallback(
        client
            .getWorkflowServiceStubs()
            .futureStub()
            .withDeadline(deadline)
            .signalWithStartWorkflowExecution(request),
        new FutureCallback<SignalWithStartWorkflowExecutionResponse>() {
          @Override
          public void onSuccess(SignalWithStartWorkflowExecutionResponse answer) {
            result.complete(
                new DispatchResult(
                    request.getWorkflowId(), answer.getRunId(), DispatchResult.DELIVERED));
          }

          @Override
          public void onFailure(Throwable failure) {
            Status.Code code = Status.fromThrowable(failure).getCode();
            // Unavailable and overloaded pass; "already exists" is a start race with another
            // starter, and the next attempt signals the run that won it.
            boolean passing =
                code == Status.Code.UNAVAILABLE
                    || code == Status.Code.RESOURCE_EXHAUSTED
                    || code == Status.Code.ALREADY_EXISTS;
            long wait = retry < BACKOFF_MILLIS.length ? BACKOFF_MILLIS[retry] : -1;
            if (passing && wait >= 0 && deadline.timeRemaining(TimeUnit.MILLISECONDS) > wait) {
              RETRIES.schedule(
                  () -> attempt(call, deadline, retry + 1, result), wait, TimeUnit.MILLISECONDS);
            } else {
              result.completeExceptionally(
                  failure instanceof StatusRuntimeException
                      ? failure
                      : Status.fromThrowable(failure).asRuntimeException());
            }
          }
        },
        MoreExecutors.directExecutor());
  }

  private Payloads payloads(Object value) {
    return client
        .getOptions()
        .getDataConverter()
        .toPayloads(value)
        .orElseThrow(() -> new IllegalStateException("no payload for " + value));
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
