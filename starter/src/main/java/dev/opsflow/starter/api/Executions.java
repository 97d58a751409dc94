package dev.opsflow.starter.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.opsflow.activities.dispatch.RemediationDispatcher;
import dev.opsflow.contracts.human.ApprovalStatus;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.OperatorNames;
import dev.opsflow.contracts.human.Progress;
import dev.opsflow.contracts.remediation.DispatchResult;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.rollout.RolloutNames;
import dev.opsflow.contracts.runbook.RunbookResult;
import dev.opsflow.contracts.runbook.RunbookWorkflow;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.HistoryEventFilterType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.failure.v1.Failure;
import io.temporal.api.filter.v1.StartTimeFilter;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.converter.DataConverter;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the REST API and the CLI do to workflow runs, with calls the embedded dev service and every
 * real Temporal cluster both answer: start by type name with JSON, describe
 * (DescribeWorkflowExecution, the start event's input and the {@code progress} query), list
 * (List{Open,Closed}WorkflowExecutions, not the visibility query the embedded service lacks),
 * cancel with a reason, and approve or reject through the Update so a refused decision comes back
 * to the caller.
 */
public final class Executions implements AutoCloseable {
  /** How long a run may take to answer a query before it counts as not answering. */
  static final Duration QUERY_TIMEOUT = Duration.ofSeconds(5);

  private final WorkflowClient client;
  private final String namespace;
  private final ExecutorService queries;

  /** The client the calls go through (for doors that start through a contract, e.g. failover). */
  public WorkflowClient client() {
    return client;
  }

  public Executions(WorkflowClient client) {
    this.client = client;
    this.namespace = client.getOptions().getNamespace();
    AtomicInteger threads = new AtomicInteger();
    this.queries =
        Executors.newFixedThreadPool(
            8,
            r -> {
              Thread t = new Thread(r, "opsflow-query-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  private WorkflowServiceGrpc.WorkflowServiceBlockingStub service() {
    return client.getWorkflowServiceStubs().blockingStub();
  }

  /**
   * Starts a run by type name with JSON input, as tctl does; its stub (for the result).
   *
   * @throws io.temporal.client.WorkflowExecutionAlreadyStarted when the ID is taken by a running
   *     run (or by a closed one, where the ID reuse policy refuses it)
   */
  public WorkflowStub start(
      String type, JsonNode input, String workflowId, String taskQueue, String requestId) {
    WorkflowOptions.Builder options =
        WorkflowOptions.newBuilder().setWorkflowId(workflowId).setTaskQueue(taskQueue);
    if (requestId != null) {
      // A retry under the same request ID is answered with the run it started (see IdempotencyKey).
      options.setRequestId(requestId);
    }
    WorkflowStub stub = client.newUntypedWorkflowStub(type, options.build());
    stub.start(input);
    return stub;
  }

  /**
   * Delivers an operator's remediation as every alert is delivered: signal-with-start on the
   * problem's workflow ID, so a second start for one problem lands in the run already working on
   * it.
   */
  public DispatchResult remediate(RemediationRequest request, String taskQueue) {
    return new RemediationDispatcher(client, taskQueue).dispatch(request);
  }

  /** A stub of one run (for its result). */
  public WorkflowStub run(String workflowId, String runId) {
    return client.newUntypedWorkflowStub(
        workflowId,
        runId == null || runId.isEmpty() ? Optional.empty() : Optional.of(runId),
        Optional.empty());
  }

  /** The latest run with this ID, as Temporal describes it; empty when there is none. */
  public Optional<WorkflowExecutionInfo> info(String workflowId) {
    try {
      return Optional.of(
          service()
              .describeWorkflowExecution(
                  DescribeWorkflowExecutionRequest.newBuilder()
                      .setNamespace(namespace)
                      .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                      .build())
              .getWorkflowExecutionInfo());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * The latest run with this ID: its list row, the input it was started with ({@code context}), and
   * what its {@code progress} query says; empty when there is no such run.
   */
  public Optional<Map<String, Object>> describe(String workflowId) {
    Optional<WorkflowExecutionInfo> found = info(workflowId);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    WorkflowExecutionInfo info = found.get();
    Map<String, Object> view = row(info);
    view.put("context", input(info.getExecution()));
    Optional<Progress> progress = progress(workflowId, info.getExecution().getRunId());
    view.put("progressAnswered", progress.isPresent());
    view.put("phase", progress.map(Progress::phase).orElse(""));
    view.put(
        "currentStep",
        progress
            .map(Progress::currentStep)
            .filter(s -> !s.isBlank())
            .orElse(String.valueOf(view.get("status")).toLowerCase()));
    view.put("target", progress.map(Progress::target).orElse(""));
    view.put("severity", progress.map(Progress::severity).orElse(""));
    view.put("history", progress.map(Progress::history).orElse(List.of()));
    view.put("waitingFor", progress.map(Progress::waitingFor).orElse(List.of()));
    view.put("cancelledBy", progress.map(Progress::cancelledBy).orElse(""));
    view.putAll(closeReason(info));
    return Optional.of(view);
  }

  /**
   * Completes {@code view} (from {@link #describe}) of a {@code RunbookWorkflow} run: {@code
   * runbook} (id, name, version, sha256, source: the pinned definition it runs, from its input, so
   * even a run no worker answers for shows it), {@code context} (the run's own input, not the
   * pinned file), {@code dryRun}, {@code simulateFailures}; and, when the run answers its {@code
   * status} query, {@code phase}, {@code currentStep}, {@code history} (its step records), {@code
   * plan}, {@code waitingFor} and {@code failure}.
   */
  public void runbookView(String workflowId, String runId, Map<String, Object> view) {
    Object input = view.get("context");
    if (input instanceof JsonNode request && request.isObject()) {
      JsonNode pinned = request.path("runbook");
      Map<String, Object> runbook = new LinkedHashMap<>();
      runbook.put("id", pinned.path("definition").path("id").asText(""));
      runbook.put("name", pinned.path("definition").path("name").asText(""));
      runbook.put("version", pinned.path("definition").path("version").asText(""));
      runbook.put("sha256", pinned.path("sha256").asText(""));
      runbook.put("source", pinned.path("source").asText(""));
      view.put("runbook", runbook);
      view.put("context", request.path("context"));
      view.put("dryRun", request.path("dryRun").asBoolean(false));
      view.put("simulateFailures", request.path("simulateFailures"));
      view.put("requestedBy", request.path("by").asText(""));
    }
    Optional<JsonNode> status;
    try {
      status =
          Optional.of(
              CompletableFuture.supplyAsync(
                      () -> run(workflowId, runId).query(OperatorNames.STATUS, JsonNode.class),
                      queries)
                  .get(QUERY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    } catch (ExecutionException | TimeoutException e) {
      // Not answered (no worker, or a closed run whose worker is gone): the view keeps what the
      // input and the progress query said, and says so.
      status = Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = Optional.empty();
    }
    view.put("statusAnswered", status.isPresent());
    status.ifPresent(
        answer -> {
          view.put("phase", answer.path("phase").asText(""));
          String step = answer.path("currentStep").asText("");
          if (!step.isBlank()) {
            view.put("currentStep", step);
          }
          view.put("history", answer.path("history"));
          view.put("plan", answer.path("plan"));
          view.put("waitingFor", answer.path("waitingFor"));
          if (!answer.path("failure").asText("").isBlank()) {
            view.putIfAbsent("failure", answer.path("failure").asText());
          }
        });
  }

  /**
   * Why a closed run ended, from its close event: {@code failure} for a run that FAILED or
   * TIMED_OUT (the workflow's message and the causes under it), {@code terminatedBy} for one that
   * was TERMINATED (the reason given, which opsflow's verbs fill with who and why); empty for a run
   * that is running, completed or was cancelled (the run records who cancelled it).
   */
  public Map<String, Object> closeReason(WorkflowExecutionInfo info) {
    Map<String, Object> reason = new LinkedHashMap<>();
    WorkflowExecutionStatus status = info.getStatus();
    if (status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED
        && status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT
        && status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED) {
      return reason;
    }
    List<HistoryEvent> events =
        service()
            .getWorkflowExecutionHistory(
                GetWorkflowExecutionHistoryRequest.newBuilder()
                    .setNamespace(namespace)
                    .setExecution(info.getExecution())
                    .setHistoryEventFilterType(
                        HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
                    .build())
            .getHistory()
            .getEventsList();
    for (HistoryEvent event : events) {
      if (event.hasWorkflowExecutionFailedEventAttributes()) {
        reason.put(
            "failure",
            failureMessage(event.getWorkflowExecutionFailedEventAttributes().getFailure()));
      } else if (event.hasWorkflowExecutionTimedOutEventAttributes()) {
        reason.put(
            "failure",
            "timed out (retry state "
                + event
                    .getWorkflowExecutionTimedOutEventAttributes()
                    .getRetryState()
                    .name()
                    .replace("RETRY_STATE_", "")
                + ")");
      } else if (event.hasWorkflowExecutionTerminatedEventAttributes()) {
        reason.put(
            "terminatedBy", event.getWorkflowExecutionTerminatedEventAttributes().getReason());
      }
    }
    return reason;
  }

  /** A failure and the causes under it, outermost first: "Activity task failed: refused". */
  static String failureMessage(Failure failure) {
    List<String> messages = new ArrayList<>();
    for (Failure f = failure; f != null; f = f.hasCause() ? f.getCause() : null) {
      if (!f.getMessage().isBlank() && !messages.contains(f.getMessage())) {
        messages.add(f.getMessage());
      }
    }
    return messages.isEmpty() ? "failed (no message)" : String.join(": ", messages);
  }

  /** The JSON input the run was started with ({@code null} when it had none). */
  private JsonNode input(WorkflowExecution execution) {
    List<HistoryEvent> events =
        service()
            .getWorkflowExecutionHistory(
                GetWorkflowExecutionHistoryRequest.newBuilder()
                    .setNamespace(namespace)
                    .setExecution(execution)
                    .setMaximumPageSize(1)
                    .build())
            .getHistory()
            .getEventsList();
    if (events.isEmpty() || !events.get(0).hasWorkflowExecutionStartedEventAttributes()) {
      return JsonNodeFactory.instance.nullNode();
    }
    Payloads input = events.get(0).getWorkflowExecutionStartedEventAttributes().getInput();
    if (input.getPayloadsCount() == 0) {
      return JsonNodeFactory.instance.nullNode();
    }
    DataConverter converter = client.getOptions().getDataConverter();
    if (input.getPayloadsCount() == 1) {
      return converter.fromPayloads(0, Optional.of(input), JsonNode.class, JsonNode.class);
    }
    var all = JsonNodeFactory.instance.arrayNode();
    for (int i = 0; i < input.getPayloadsCount(); i++) {
      all.add(converter.fromPayloads(i, Optional.of(input), JsonNode.class, JsonNode.class));
    }
    return all;
  }

  /**
   * The run's answer to the {@code progress} query, or empty when it does not answer one (a type
   * without it, no worker polling, or no answer within {@link #QUERY_TIMEOUT}).
   */
  public Optional<Progress> progress(String workflowId, String runId) {
    return progress(
            List.of(
                WorkflowExecution.newBuilder()
                    .setWorkflowId(workflowId)
                    .setRunId(runId == null ? "" : runId)
                    .build()))
        .get(0);
  }

  /**
   * Asks many runs for {@code progress} at once (eight queries in flight); each answer in the order
   * asked, empty for a run that did not answer in time.
   */
  public List<Optional<Progress>> progress(List<WorkflowExecution> runs) {
    List<CompletableFuture<Progress>> answers = new ArrayList<>();
    for (WorkflowExecution run : runs) {
      answers.add(
          CompletableFuture.supplyAsync(
              () ->
                  client
                      .newUntypedWorkflowStub(
                          run.getWorkflowId(),
                          run.getRunId().isEmpty() ? Optional.empty() : Optional.of(run.getRunId()),
                          Optional.empty())
                      .query(OperatorNames.PROGRESS, Progress.class),
              queries));
    }
    // Everything shares one deadline: a few slow runs must not make the inbox hang.
    long deadline =
        System.nanoTime()
            + QUERY_TIMEOUT.toNanos()
            + Math.min(Duration.ofSeconds(55).toNanos(), runs.size() * 20_000_000L);
    List<Optional<Progress>> result = new ArrayList<>();
    for (CompletableFuture<Progress> answer : answers) {
      result.add(await(answer, deadline));
    }
    return result;
  }

  private static Optional<Progress> await(CompletableFuture<Progress> answer, long deadline) {
    try {
      long left = Math.max(0, deadline - System.nanoTime());
      return Optional.of(answer.get(left, TimeUnit.NANOSECONDS));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof WorkflowException
          || e.getCause() instanceof StatusRuntimeException) {
        return Optional.empty();
      }
      throw new IllegalStateException("progress query failed", e.getCause());
    } catch (TimeoutException e) {
      answer.cancel(true);
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Running runs (or closed ones), newest first, at most {@code limit}. */
  public List<Map<String, Object>> list(boolean closed, int limit) {
    List<Map<String, Object>> rows = new ArrayList<>();
    infos(closed, limit).stream()
        .sorted(
            (a, b) -> Long.compare(b.getStartTime().getSeconds(), a.getStartTime().getSeconds()))
        .limit(limit)
        .forEach(info -> rows.add(row(info)));
    return rows;
  }

  /**
   * The closed {@code RunbookWorkflow} runs among the latest {@code limit} closed runs, each with
   * its result when it completed (a completed run's result is read from its close event), else its
   * status; the runbook's id comes from the result, or from the pinned definition in the input.
   */
  public List<RunbookStats.ClosedRun> closedRunbookRuns(int limit) {
    List<RunbookStats.ClosedRun> runs = new ArrayList<>();
    for (WorkflowExecutionInfo info : infos(true, limit)) {
      if (!info.getType().getName().equals(RunbookWorkflow.TYPE)) {
        continue;
      }
      // A list row may lack the close time (the embedded service leaves it out): describe the run.
      Timestamp closed =
          info.hasCloseTime() && info.getCloseTime().getSeconds() > 0
              ? info.getCloseTime()
              : info(info.getExecution().getWorkflowId())
                  .map(WorkflowExecutionInfo::getCloseTime)
                  .orElse(info.getStartTime());
      long millis =
          Math.max(
              0,
              Duration.between(
                      Instant.ofEpochSecond(
                          info.getStartTime().getSeconds(), info.getStartTime().getNanos()),
                      Instant.ofEpochSecond(closed.getSeconds(), closed.getNanos()))
                  .toMillis());
      String status = status(info.getStatus());
      RunbookResult result = null;
      String runbookId;
      if (info.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
        result =
            run(info.getExecution().getWorkflowId(), info.getExecution().getRunId())
                .getResult(RunbookResult.class);
        runbookId = result.runbookId();
      } else {
        JsonNode input = input(info.getExecution());
        if (input.path("dryRun").asBoolean(false)) {
          continue;
        }
        runbookId = input.path("runbook").path("definition").path("id").asText(null);
      }
      runs.add(
          new RunbookStats.ClosedRun(
              runbookId,
              status,
              result,
              result != null && result.durationMillis() > 0 ? result.durationMillis() : millis));
    }
    return runs;
  }

  /** Every running run (all pages, up to {@code max}). */
  List<WorkflowExecutionInfo> open(int max) {
    return infos(false, max);
  }

  private List<WorkflowExecutionInfo> infos(boolean closed, int max) {
    StartTimeFilter anyTime =
        StartTimeFilter.newBuilder()
            .setEarliestTime(Timestamp.newBuilder().setSeconds(0))
            .setLatestTime(Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond() + 3600))
            .build();
    List<WorkflowExecutionInfo> all = new ArrayList<>();
    ByteString token = ByteString.EMPTY;
    do {
      int page = Math.min(1000, max - all.size());
      if (closed) {
        ListClosedWorkflowExecutionsResponse r =
            service()
                .listClosedWorkflowExecutions(
                    ListClosedWorkflowExecutionsRequest.newBuilder()
                        .setNamespace(namespace)
                        .setMaximumPageSize(page)
                        .setStartTimeFilter(anyTime)
                        .setNextPageToken(token)
                        .build());
        all.addAll(r.getExecutionsList());
        token = r.getNextPageToken();
      } else {
        ListOpenWorkflowExecutionsResponse r =
            service()
                .listOpenWorkflowExecutions(
                    ListOpenWorkflowExecutionsRequest.newBuilder()
                        .setNamespace(namespace)
                        .setMaximumPageSize(page)
                        .setStartTimeFilter(anyTime)
                        .setNextPageToken(token)
                        .build());
        all.addAll(r.getExecutionsList());
        token = r.getNextPageToken();
      }
    } while (!token.isEmpty() && all.size() < max);
    return all;
  }

  /**
   * Requests cancellation of the running run with this ID; it runs its cleanup before it stops.
   *
   * @return empty when the request was sent; otherwise why not (no such run, or its status when it
   *     is no longer running: a real cluster refuses those, the embedded one accepts them)
   */
  public Optional<String> cancel(String workflowId, String reason) {
    Optional<WorkflowExecutionInfo> info = info(workflowId);
    if (info.isEmpty()) {
      return Optional.of("no execution '" + workflowId + "'");
    }
    if (info.get().getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      return Optional.of(
          "execution '"
              + workflowId
              + "' is "
              + status(info.get().getStatus())
              + "; nothing to cancel");
    }
    try {
      client.newUntypedWorkflowStub(workflowId, Optional.empty(), Optional.empty()).cancel(reason);
    } catch (io.temporal.client.WorkflowNotFoundException e) {
      return Optional.of("execution '" + workflowId + "' closed before it could be cancelled");
    }
    return Optional.empty();
  }

  /**
   * Terminates a running run at once, without its cleanup (for a run that cancellation cannot
   * stop): the reason is recorded in its history as Temporal's terminate reason.
   *
   * @param run the run as {@link #info} found it (its run ID is the one terminated)
   * @return empty when it was terminated; otherwise why not (it is no longer running)
   */
  public Optional<String> terminate(WorkflowExecutionInfo run, String reason) {
    String workflowId = run.getExecution().getWorkflowId();
    if (run.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      return Optional.of(
          "execution '"
              + workflowId
              + "' is "
              + status(run.getStatus())
              + "; nothing to terminate");
    }
    try {
      run(workflowId, run.getExecution().getRunId()).terminate(reason);
    } catch (io.temporal.client.WorkflowNotFoundException e) {
      return Optional.of("execution '" + workflowId + "' closed before it could be terminated");
    }
    return Optional.empty();
  }

  /**
   * Approves or rejects through the Update; the run's validator refuses a decision that would not
   * count (not an approver, four-eyes, nothing waiting) with {@link
   * io.temporal.client.WorkflowUpdateException}.
   */
  public ApprovalStatus decide(String workflowId, boolean approve, Decision decision) {
    return client
        .newUntypedWorkflowStub(workflowId, Optional.empty(), Optional.empty())
        .update(
            approve ? OperatorNames.APPROVE : OperatorNames.REJECT, ApprovalStatus.class, decision);
  }

  /**
   * Sends a rollout command ({@link dev.opsflow.contracts.rollout.RolloutNames}: pause, resume,
   * promote, promoteFull, abort, retry) through its Update and returns the rollout's status after
   * it; the rollout's validator refuses a command that would not count in its state with {@link
   * io.temporal.client.WorkflowUpdateException}.
   */
  public JsonNode steer(String workflowId, String command, Decision decision) {
    if (!ROLLOUT_COMMANDS.contains(command)) {
      throw new IllegalArgumentException(
          "command: '" + command + "' is not one of " + ROLLOUT_COMMANDS);
    }
    return client
        .newUntypedWorkflowStub(workflowId, Optional.empty(), Optional.empty())
        .update(command, JsonNode.class, decision);
  }

  /** The rollout commands, in the order an operator meets them. */
  public static final List<String> ROLLOUT_COMMANDS =
      List.of(
          RolloutNames.PAUSE,
          RolloutNames.RESUME,
          RolloutNames.PROMOTE,
          RolloutNames.PROMOTE_FULL,
          RolloutNames.ABORT,
          RolloutNames.RETRY);

  /** The list row of a run: the same fields in the REST API, the CLI and their JSON. */
  public static Map<String, Object> row(WorkflowExecutionInfo info) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("executionId", info.getExecution().getWorkflowId());
    row.put("runId", info.getExecution().getRunId());
    row.put("workflowType", info.getType().getName());
    row.put("status", status(info.getStatus()));
    row.put("startTime", instant(info.getStartTime()));
    row.put(
        "closeTime",
        info.hasCloseTime() && info.getCloseTime().getSeconds() > 0
            ? instant(info.getCloseTime())
            : "");
    row.put("taskQueue", info.getTaskQueue());
    return row;
  }

  public static String instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).toString();
  }

  public static String status(WorkflowExecutionStatus status) {
    return status.name().replace("WORKFLOW_EXECUTION_STATUS_", "");
  }

  /** The innermost message: the workflow's own (its validator's, its failure's). */
  public static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    String message = t instanceof ApplicationFailure af ? af.getOriginalMessage() : t.getMessage();
    return message == null ? t.getClass().getSimpleName() : message;
  }

  /** What a cancel request carries as its reason; the run records it as {@code cancelledBy}. */
  public static String cancelReason(String who, String via, String why) {
    return "cancelled by " + who + " via " + via + (why == null || why.isBlank() ? "" : ": " + why);
  }

  /** What a terminate carries as its reason: who, through what, and why (required). */
  public static String terminateReason(String who, String via, String why) {
    return "terminated by " + who + " via " + via + ": " + why;
  }

  /** True when Temporal could not be reached (the caller should retry later: 503). */
  public static boolean unavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException s) {
        Status.Code code = s.getStatus().getCode();
        return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
      }
    }
    return false;
  }

  /** Why {@link #statusView} has no view: no such workflow, or one that does not answer. */
  public static final class NoStatus extends RuntimeException {
    private final boolean notFound;

    NoStatus(String message, boolean notFound) {
      super(message);
      this.notFound = notFound;
    }

    /** No workflow by that ID (else it exists and does not answer a status query). */
    public boolean notFound() {
      return notFound;
    }
  }

  /**
   * What {@code opsflow status ID} shows and {@code GET /api/executions/{id}/status} answers: the
   * workflow's answer to its {@code status} query, with Temporal's {@code runStatus} and, for a run
   * that failed, timed out or was terminated, the reason. A run that ended before it could answer
   * still has Temporal's reason to show.
   *
   * @throws NoStatus for no such workflow, or a running one that does not answer the query
   */
  public com.fasterxml.jackson.databind.node.ObjectNode statusView(String workflowId) {
    // The ID as the caller gave it, escaped and cut: it may be anything up to the URL's limit.
    String noWorkflow = "no workflow " + dev.opsflow.activities.Printable.quoted(workflowId);
    WorkflowExecutionInfo info = info(workflowId).orElseThrow(() -> new NoStatus(noWorkflow, true));
    Map<String, Object> closed = closeReason(info);
    com.fasterxml.jackson.databind.node.ObjectNode status;
    try {
      JsonNode answer =
          run(workflowId, info.getExecution().getRunId())
              .query(OperatorNames.STATUS, JsonNode.class);
      status =
          answer.isObject()
              ? (com.fasterxml.jackson.databind.node.ObjectNode) answer
              : JsonNodeFactory.instance.objectNode();
    } catch (io.temporal.client.WorkflowNotFoundException e) {
      throw new NoStatus(noWorkflow, true);
    } catch (io.temporal.client.WorkflowQueryException e) {
      if (closed.isEmpty()) {
        throw new NoStatus(
            dev.opsflow.activities.Printable.quoted(workflowId)
                + " does not answer a 'status' query ("
                + e.getCause().getMessage()
                + ")",
            false);
      }
      status = JsonNodeFactory.instance.objectNode();
    }
    // Temporal's view of how the run ended, beside the run's own phase (which a failure can leave
    // behind): FAILED with the failure, TERMINATED with who and why.
    status.put("runStatus", status(info.getStatus()));
    for (Map.Entry<String, Object> reason : closed.entrySet()) {
      status.put(reason.getKey(), String.valueOf(reason.getValue()));
    }
    return status;
  }

  @Override
  public void close() {
    queries.shutdownNow();
  }
}
