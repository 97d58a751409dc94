package dev.opsflow.starter.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opsflow.activities.runbook.RunbookFolder;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.config.OpsflowConfig.ApiCaller;
import dev.opsflow.contracts.failover.FailoverDoor;
import dev.opsflow.contracts.failover.FailoverMode;
import dev.opsflow.contracts.failover.FailoverRequest;
import dev.opsflow.contracts.failover.FailoverStarted;
import dev.opsflow.contracts.human.ApprovalStatus;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.HumanTask;
import dev.opsflow.contracts.human.OperatorNames;
import dev.opsflow.contracts.human.Refusal;
import dev.opsflow.contracts.remediation.DispatchResult;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.rollout.BlueGreenDeployment;
import dev.opsflow.contracts.rollout.BlueGreenRequest;
import dev.opsflow.contracts.rollout.CanaryRequest;
import dev.opsflow.contracts.rollout.CanaryRollout;
import dev.opsflow.contracts.rollout.MlDeploymentRequest;
import dev.opsflow.contracts.rollout.MlModelDeployment;
import dev.opsflow.contracts.rollout.RolloutDoor;
import dev.opsflow.contracts.rollout.RolloutTarget;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.contracts.run.RunStarted;
import dev.opsflow.contracts.runbook.PinnedRunbook;
import dev.opsflow.contracts.runbook.RunbookRequest;
import dev.opsflow.contracts.runbook.RunbookWorkflow;
import dev.opsflow.starter.http.RequestBody;
import dev.opsflow.starter.http.TemporalDeadline;
import dev.opsflow.workflows.TaskQueues;
import dev.opsflow.workflows.WorkflowCatalog;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowQueryException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The REST API under {@code /api}: start a procedure, read one run or the list, cancel, approve or
 * reject, and the approvals inbox. Every call needs a bearer token ({@link ApiAuth}) and is audited
 * ({@link AuditLog}) with its caller, refused calls included. Handlers check input and talk to
 * Temporal; whether a decision counts is the workflow's call (its Update validator).
 *
 * <pre>
 * POST   /api/runbooks/execute            operator  {workflowType|runbookId, context, async, workflowId?, timeoutSeconds?}
 *                                                  a runbookId of runbooks.dir starts RunbookWorkflow with
 *                                                  the definition pinned (+ dryRun?, simulateFailures?)
 *                                                  (admin for the governor and the watchdogs); a remediation's
 *                                                  context is checked at the door and delivered like an alert,
 *                                                  on the problem's workflow ID (no workflowId, no policy)
 * GET    /api/runbooks?executionId=ID     viewer    status, currentStep, startTime, context, history
 *                                                  (a RunbookWorkflow run adds runbook: id, version, sha256, plan)
 * GET    /api/runbooks?status=active      viewer    executions and count (status=closed for finished;
 *                                                  &runbookId= only that runbook's runs)
 * DELETE /api/runbooks?executionId=ID     operator  request cancellation (reason: who, via the API)
 * POST   /api/executions/{id}/terminate   operator  {reason}; stops a run at once, without cleanup
 *                                                  (admin for the governor and the watchdogs)
 * POST   /api/executions/{id}/approve     operator  {comment?}; the caller is the approver
 * POST   /api/executions/{id}/reject      operator  {comment?}
 * GET    /api/approvals                   viewer    every run waiting for a human
 * GET    /api/audit?limit=N               admin     the latest audited calls
 * </pre>
 */
public final class RestApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> EXECUTE_FIELDS =
      Set.of(
          "workflowType",
          "runbookId",
          "context",
          "async",
          "workflowId",
          "timeoutSeconds",
          "dryRun",
          "simulateFailures");
  private static final int MAX_WAIT_SECONDS = 600;
  private static final int MAX_REASON = 1000;

  /**
   * What may be started and where.
   *
   * @param types workflow type names that may be started
   * @param remediationTypes remediations: their input is parsed and checked at the door as a {@code
   *     RemediationRequest} and delivered like an alert ({@link OperatorStart}, signal-with-start
   *     on the problem's workflow ID), never started with the caller's input as it is
   * @param requesterTypes other types whose input carries {@code requestedBy} (four-eyes): the API
   *     sets it to the caller, never to what the body says
   * @param adminTypes types only an admin may start or terminate (long-running services the stack
   *     keeps one of)
   * @param taskQueue where runs are started
   */
  public record Catalog(
      List<String> types,
      Set<String> remediationTypes,
      Set<String> requesterTypes,
      Set<String> adminTypes,
      String taskQueue) {
    public static Catalog opsflow() {
      return new Catalog(
          WorkflowCatalog.typeNames(),
          Set.copyOf(WorkflowCatalog.remediationTypeNames()),
          Set.of(),
          Set.copyOf(WorkflowCatalog.serviceTypeNames()),
          TaskQueues.OPERATIONS);
    }
  }

  private final Executions executions;
  private final ApprovalInbox inbox;
  private final ApiAuth auth;
  private final AuditLog audit;
  private final Catalog catalog;
  private final RequestBody bodies;
  private final TemporalDeadline deadline;
  private final Set<String> failoverClusters;
  private final RunbookFolder runbooks;

  /** Bodies read at once; callers authenticated first, so this is a bound, not a defence. */
  private static final int CONCURRENT_READS = 32;

  /** An API whose bodies are read within the default limits ({@link OpsflowConfig#defaults}). */
  public RestApi(Executions executions, ApiAuth auth, AuditLog audit, Catalog catalog) {
    this(executions, auth, audit, catalog, OpsflowConfig.defaults().http());
  }

  /**
   * @param limits the size and time bounds of request bodies
   */
  public RestApi(
      Executions executions,
      ApiAuth auth,
      AuditLog audit,
      Catalog catalog,
      OpsflowConfig.Http limits) {
    this(executions, auth, audit, catalog, limits, Set.of());
  }

  /**
   * @param failoverClusters the configuration's {@code failover.clusters}: a failover of another is
   *     refused (400) before it starts; empty = not known here, the worker decides
   */
  public RestApi(
      Executions executions,
      ApiAuth auth,
      AuditLog audit,
      Catalog catalog,
      OpsflowConfig.Http limits,
      Set<String> failoverClusters) {
    this(executions, auth, audit, catalog, limits, failoverClusters, RunbookFolder.empty());
  }

  /**
   * @param runbooks the runbooks as data the server loaded at start ({@code runbooks.dir}): a
   *     {@code runbookId} among them starts {@link RunbookWorkflow} with its definition pinned
   */
  public RestApi(
      Executions executions,
      ApiAuth auth,
      AuditLog audit,
      Catalog catalog,
      OpsflowConfig.Http limits,
      Set<String> failoverClusters,
      RunbookFolder runbooks) {
    this.runbooks = runbooks;
    this.failoverClusters = Set.copyOf(failoverClusters);
    this.executions = executions;
    this.inbox = new ApprovalInbox(executions);
    this.auth = auth;
    this.audit = audit;
    this.catalog = catalog;
    this.bodies = new RequestBody(limits.maxBodyBytes(), limits.bodyTimeout(), CONCURRENT_READS);
    this.deadline = new TemporalDeadline(limits.temporalDeadline());
  }

  /** The API as the starter serves it: configured callers and audit file, every opsflow type. */
  public static RestApi fromConfig(
      Executions executions, OpsflowConfig.Api api, OpsflowConfig.Http limits) {
    return fromConfig(executions, api, limits, Set.of());
  }

  /** As above, refusing a failover of a cluster not in {@code failoverClusters} (if not empty). */
  public static RestApi fromConfig(
      Executions executions,
      OpsflowConfig.Api api,
      OpsflowConfig.Http limits,
      Set<String> failoverClusters) {
    return fromConfig(executions, api, limits, failoverClusters, RunbookFolder.empty());
  }

  /** As above, with the runbooks as data the server loaded at start. */
  public static RestApi fromConfig(
      Executions executions,
      OpsflowConfig.Api api,
      OpsflowConfig.Http limits,
      Set<String> failoverClusters,
      RunbookFolder runbooks) {
    return new RestApi(
        executions,
        new ApiAuth(api),
        new AuditLog(api.auditLog()),
        Catalog.opsflow(),
        limits,
        failoverClusters,
        runbooks);
  }

  public AuditLog audit() {
    return audit;
  }

  /** The paths this API serves, for the starter's index page. */
  public static List<String> endpoints() {
    return List.of(
        "POST /api/runbooks/execute",
        "GET /api/runbooks?executionId=|status=active|closed",
        "DELETE /api/runbooks?executionId=",
        "POST /api/executions/{id}/terminate",
        "POST /api/executions/{id}/approve",
        "POST /api/executions/{id}/reject",
        "GET /api/executions/{id}/status",
        "GET /api/rollouts/{id}",
        "POST /api/rollouts/{id}/pause|resume|promote|promoteFull|abort|retry",
        "GET /api/approvals",
        "GET /api/audit");
  }

  public void mount(RoutesConfig routes) {
    routes.post("/api/runbooks/execute", secured(ApiAuth.OPERATOR, "execute", this::execute));
    routes.get("/api/runbooks", secured(ApiAuth.VIEWER, "read", this::read));
    routes.delete("/api/runbooks", secured(ApiAuth.OPERATOR, "cancel", this::cancel));
    routes.post(
        "/api/executions/{id}/terminate", secured(ApiAuth.OPERATOR, "terminate", this::terminate));
    routes.post(
        "/api/executions/{id}/approve",
        secured(ApiAuth.OPERATOR, "approve", (ctx, caller) -> decide(ctx, caller, true)));
    routes.post(
        "/api/executions/{id}/reject",
        secured(ApiAuth.OPERATOR, "reject", (ctx, caller) -> decide(ctx, caller, false)));
    routes.get(
        "/api/executions/{id}/status", secured(ApiAuth.VIEWER, "read", this::executionStatus));
    routes.get("/api/rollouts/{id}", secured(ApiAuth.VIEWER, "read", this::rolloutStatus));
    for (String command : Executions.ROLLOUT_COMMANDS) {
      routes.post(
          "/api/rollouts/{id}/" + command,
          secured(ApiAuth.OPERATOR, command, (ctx, caller) -> steer(ctx, caller, command)));
    }
    routes.get("/api/approvals", secured(ApiAuth.VIEWER, "approvals", this::approvals));
    routes.get("/api/audit", secured(ApiAuth.ADMIN, "audit", this::auditTail));
  }

  @FunctionalInterface
  interface Call {
    void handle(Context ctx, ApiCaller caller) throws Exception;
  }

  /** Authenticates, authorises, runs the call, answers refusals as JSON, audits every outcome. */
  private Handler secured(String role, String action, Call call) {
    return ctx -> {
      ApiCaller caller = null;
      String detail = "";
      try {
        caller = auth.authenticate(ctx.header("Authorization"));
        ApiAuth.authorize(caller, role, action);
        ApiCaller authorised = caller;
        // Every Temporal call of the request shares one deadline (http.temporalDeadline), so an
        // outage is a prompt 503 instead of the client's retries running on for ten seconds.
        deadline
            .start()
            .call(
                () -> {
                  call.handle(ctx, authorised);
                  return null;
                });
        detail = Optional.ofNullable(ctx.<String>attribute("audit")).orElse("");
      } catch (ApiError e) {
        refuse(ctx, e.status(), e.getMessage());
        detail = e.getMessage();
      } catch (RequestBody.Refused e) {
        refuse(ctx, e.status(), e.getMessage());
        detail = e.getMessage();
      } catch (RuntimeException e) {
        if (!Executions.unavailable(e)) {
          audit(ctx, caller, action, 500, e.getClass().getSimpleName());
          throw e;
        }
        detail = "Temporal unavailable";
        // Not "nothing was done": a call that reached Temporal just before the deadline passed
        // may have taken effect (a start: its retry with the same Idempotency-Key answers that
        // run; without a key, 409 naming it where the workflow ID was given).
        refuse(ctx, 503, "Temporal is unavailable or did not answer in time; retry later");
      }
      audit(ctx, caller, action, ctx.statusCode(), detail);
    };
  }

  private void audit(Context ctx, ApiCaller caller, String action, int status, String detail) {
    String executionId = ctx.attribute("executionId");
    audit.record(
        caller == null ? null : caller.name(),
        caller == null ? null : caller.role(),
        ctx.method().name(),
        ctx.path(),
        action,
        executionId,
        status,
        detail);
  }

  private static void refuse(Context ctx, int status, String reason) {
    if (status == 401) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"opsflow\"");
    }
    ctx.status(status).json(Map.of("error", reason));
  }

  // ---- POST /api/runbooks/execute ----------------------------------------------------------

  private void execute(Context ctx, ApiCaller caller) throws Exception {
    JsonNode body = objectBody(ctx);
    for (var it = body.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!EXECUTE_FIELDS.contains(field)) {
        throw ApiError.badRequest(
            field
                + ": unknown field; expected "
                + String.join(", ", EXECUTE_FIELDS.stream().sorted().toList()));
      }
    }
    IdempotencyKey key = IdempotencyKey.of(ctx.header(IdempotencyKey.HEADER), caller.name());
    ctx.attribute(IdempotencyKey.ATTRIBUTE, key);
    String runbookId = text(body, "runbookId");
    String workflowType = text(body, "workflowType");
    if (RunbookWorkflow.TYPE.equals(workflowType)
        || (runbookId != null && runbooks.runbook(runbookId).isPresent())) {
      executeRunbook(ctx, caller, body);
      return;
    }
    for (String field : List.of("dryRun", "simulateFailures")) {
      if (body.hasNonNull(field)) {
        throw ApiError.badRequest(
            field
                + ": only for runbooks as data (a runbookId of the server's runbooks folder: "
                + knownRunbooks()
                + ")");
      }
    }
    String type = type(workflowType, runbookId);
    if (catalog.adminTypes().contains(type)) {
      ApiAuth.authorize(caller, ApiAuth.ADMIN, "starting " + type);
    }
    if (catalog.remediationTypes().contains(type)) {
      executeRemediation(ctx, caller, type, body);
      return;
    }
    if (FAILOVER_TYPE.equals(type)) {
      executeFailover(ctx, caller, body);
      return;
    }
    if (CanaryRollout.TYPE.equals(type)) {
      executeCanary(ctx, caller, body);
      return;
    }
    if (BlueGreenDeployment.TYPE.equals(type)) {
      executeBlueGreen(ctx, caller, body);
      return;
    }
    if (MlModelDeployment.TYPE.equals(type)) {
      executeMlDeployment(ctx, caller, body);
      return;
    }
    JsonNode contextNode = body.get("context");
    ObjectNode input;
    if (contextNode == null || contextNode.isNull()) {
      input = JSON.createObjectNode();
    } else if (contextNode.isObject()) {
      input = ((ObjectNode) contextNode).deepCopy();
    } else {
      throw ApiError.badRequest("context: must be a JSON object (the workflow's input)");
    }
    if (catalog.requesterTypes().contains(type)) {
      JsonNode given = input.get("requestedBy");
      if (given != null && !given.isNull() && !given.asText().equals(caller.name())) {
        throw ApiError.badRequest(
            "context.requestedBy: the API records the caller ("
                + caller.name()
                + ") as the requester; leave it out");
      }
      input.put("requestedBy", caller.name());
    }
    boolean async = bool(body, "async", true);
    int timeoutSeconds = integer(body, "timeoutSeconds", 60, 1, MAX_WAIT_SECONDS);
    String workflowId = text(body, "workflowId");
    if (workflowId == null) {
      workflowId =
          kebab(type)
              + "-"
              + (key == null ? UUID.randomUUID().toString().substring(0, 8) : key.idSuffix());
    } else if (workflowId.length() > 200) {
      throw ApiError.badRequest("workflowId: at most 200 characters");
    }
    ctx.attribute("executionId", workflowId);
    WorkflowStub stub;
    try {
      stub = executions.start(type, input, workflowId, catalog.taskQueue(), requestId(ctx));
    } catch (WorkflowExecutionAlreadyStarted e) {
      throw ApiError.conflict("workflowId: an execution '" + workflowId + "' already exists");
    }
    WorkflowExecution execution = stub.getExecution();
    Map<String, Object> answer = started(execution, type, caller);
    ctx.attribute("audit", "started " + type);
    answer(ctx, answer, stub, async, timeoutSeconds, type);
  }

  /**
   * A runbook as data goes through {@link RunbookDoor}, as the CLI's and an alert route's do: the
   * definition the server loaded, pinned into the input; the input checked first (400 naming the
   * field); on {@code runbook-<id>-<key>}, so a second start with the same {@code workflowId} while
   * the first runs is 409 with the running run.
   */
  private void executeRunbook(Context ctx, ApiCaller caller, JsonNode body) {
    String runbookId = text(body, "runbookId");
    String workflowType = text(body, "workflowType");
    if (runbookId == null) {
      throw ApiError.badRequest(
          "runbookId: required with workflowType "
              + RunbookWorkflow.TYPE
              + "; known: "
              + knownRunbooks());
    }
    if (workflowType != null && !workflowType.equals(RunbookWorkflow.TYPE)) {
      throw ApiError.badRequest(
          "workflowType: runbook "
              + runbookId
              + " runs as "
              + RunbookWorkflow.TYPE
              + ", not "
              + workflowType
              + "; give one of the two");
    }
    boolean async = bool(body, "async", true);
    int timeoutSeconds = integer(body, "timeoutSeconds", 60, 1, MAX_WAIT_SECONDS);
    boolean dryRun = bool(body, "dryRun", false);
    List<String> simulateFailures = new java.util.ArrayList<>();
    JsonNode failures = body.get("simulateFailures");
    if (failures != null && !failures.isNull()) {
      if (!failures.isArray()) {
        throw ApiError.badRequest("simulateFailures: must be a list of step ids");
      }
      for (int i = 0; i < failures.size(); i++) {
        if (!failures.get(i).isTextual() || failures.get(i).asText().isBlank()) {
          throw ApiError.badRequest("simulateFailures[" + i + "]: must be a step id");
        }
        simulateFailures.add(failures.get(i).asText());
      }
    }
    RunbookRequest request;
    String workflowId;
    try {
      request =
          RunbookDoor.request(
              runbooks, runbookId, body.get("context"), dryRun, simulateFailures, caller.name());
      IdempotencyKey key = ctx.attribute(IdempotencyKey.ATTRIBUTE);
      workflowId =
          RunbookDoor.workflowId(
              request, text(body, "workflowId"), key == null ? null : key.idSuffix());
    } catch (RunbookDoor.Refused e) {
      throw ApiError.badRequest(e.getMessage());
    }
    ctx.attribute("executionId", workflowId);
    RunStarted started =
        RunbookDoor.start(
            executions.client(), catalog.taskQueue(), workflowId, request, requestId(ctx));
    WorkflowExecution execution =
        WorkflowExecution.newBuilder()
            .setWorkflowId(started.workflowId())
            .setRunId(started.runId())
            .build();
    Map<String, Object> answer = started(execution, RunbookWorkflow.TYPE, caller);
    PinnedRunbook pinned = request.runbook();
    answer.put("runbookId", pinned.definition().id());
    answer.put("version", pinned.definition().version());
    answer.put("sha256", pinned.sha256());
    answer.put("dryRun", dryRun);
    if (started.alreadyRunning()) {
      answer.put("status", "RUNNING");
      answer.put(
          "error", "an execution '" + workflowId + "' is already running; follow it at statusUrl");
      ctx.attribute("audit", "refused runbook " + runbookId + ": " + workflowId + " runs");
      ctx.status(409).json(answer);
      return;
    }
    ctx.attribute(
        "audit",
        "started runbook "
            + runbookId
            + " "
            + pinned.definition().version()
            + " ("
            + pinned.sha256().substring(0, 12)
            + ")"
            + (dryRun ? " as a dry run" : ""));
    answer(
        ctx,
        answer,
        executions.run(started.workflowId(), started.runId()),
        async,
        timeoutSeconds,
        RunbookWorkflow.TYPE);
  }

  /** The runbooks a runbookId may name, for refusals. */
  private String knownRunbooks() {
    return runbooks.runbooks().isEmpty()
        ? "(none)"
        : String.join(", ", runbooks.runbooks().keySet());
  }

  private static final String FAILOVER_TYPE = "PostgresFailover";
  private static final Set<String> FAILOVER_FIELDS = Set.of("cluster", "mode", "candidate");
  private static final java.util.regex.Pattern MEMBER_NAME =
      java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /**
   * A failover goes through {@link FailoverDoor}, as the CLI's does: under the cluster's workflow
   * ID, so a second request is answered with the running one (409) instead of starting beside it;
   * the caller is the requester. Checked before anything starts.
   */
  private void executeFailover(Context ctx, ApiCaller caller, JsonNode body) {
    if (body.hasNonNull("workflowId")) {
      throw ApiError.badRequest(
          "workflowId: a failover's workflow ID is failover-<cluster>, one per cluster; leave it"
              + " out");
    }
    JsonNode context = body.get("context");
    if (context == null || !context.isObject()) {
      throw ApiError.badRequest(
          "context: must be a JSON object {\"cluster\", \"mode\": SWITCHOVER|FAILOVER,"
              + " \"candidate\"?}");
    }
    for (var it = context.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!FAILOVER_FIELDS.contains(field)) {
        throw ApiError.badRequest(
            "context." + field + ": unknown field; expected candidate, cluster, mode");
      }
    }
    String cluster = context.path("cluster").asText("");
    if (!MEMBER_NAME.matcher(cluster).matches()) {
      throw ApiError.badRequest(
          "context.cluster: '"
              + cluster
              + "' is not a cluster name (lower-case letters, digits,"
              + " '-')");
    }
    FailoverMode mode;
    try {
      mode = FailoverMode.valueOf(context.path("mode").asText("").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(
          "context.mode: '"
              + context.path("mode").asText("")
              + "'; expected SWITCHOVER or"
              + " FAILOVER");
    }
    String candidate = context.hasNonNull("candidate") ? context.get("candidate").asText() : null;
    if (candidate != null && !MEMBER_NAME.matcher(candidate).matches()) {
      throw ApiError.badRequest(
          "context.candidate: '"
              + candidate
              + "' is not a member name (lower-case letters,"
              + " digits, '-')");
    }
    try {
      FailoverDoor.requireConfigured(cluster, failoverClusters);
    } catch (FailoverDoor.UnknownCluster e) {
      throw ApiError.badRequest("context." + e.getMessage());
    }
    ctx.attribute("executionId", FailoverRequest.workflowId(cluster));
    FailoverStarted started =
        FailoverDoor.start(
            executions.client(),
            catalog.taskQueue(),
            new FailoverRequest(
                cluster,
                mode,
                candidate,
                new RunEnvelope("critical", null, caller.name(), null),
                null),
            failoverClusters,
            requestId(ctx));
    WorkflowExecution execution =
        WorkflowExecution.newBuilder()
            .setWorkflowId(started.workflowId())
            .setRunId(started.runId())
            .build();
    Map<String, Object> answer = started(execution, FAILOVER_TYPE, caller);
    if (started.alreadyRunning()) {
      answer.put("status", "RUNNING");
      answer.put(
          "error", "a failover of " + cluster + " is already running; follow it at statusUrl");
      ctx.attribute("audit", "refused " + FAILOVER_TYPE + " of " + cluster + ": one runs");
      ctx.status(409).json(answer);
      return;
    }
    answer.put("status", "RUNNING");
    ctx.attribute("audit", "started " + FAILOVER_TYPE + " (" + mode + ") of " + cluster);
    ctx.status(202).json(answer);
  }

  /** Reads a rollout request strictly: an unknown or mistyped field is named, never dropped. */
  private static final ObjectMapper STRICT =
      new ObjectMapper()
          .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /**
   * A canary goes through {@link RolloutDoor}, as the CLI's does: checked first (400 naming the
   * field, e.g. {@code context.steps[2].weight: ...}), on its Deployment's workflow ID so a second
   * one is 409 with the running run, the caller as requester.
   */
  private void executeCanary(Context ctx, ApiCaller caller, JsonNode body) {
    executeRollout(
        ctx,
        caller,
        body,
        CanaryRollout.TYPE,
        "the CanaryRequest: target, steps, analysis, router, ...",
        CanaryRequest.class,
        asked ->
            new CanaryRequest(
                asked.target(),
                asked.steps(),
                asked.analysis(),
                asked.router(),
                asked.progressDeadline(),
                asked.approveBeforeFull(),
                asked.scaleDownDelay(),
                asked.retryWindow(),
                asCaller(asked.run(), caller)),
        request ->
            RolloutDoor.start(executions.client(), catalog.taskQueue(), request, requestId(ctx)),
        CanaryRequest::target);
  }

  /** A blue-green release goes through {@link RolloutDoor} the same way. */
  private void executeBlueGreen(Context ctx, ApiCaller caller, JsonNode body) {
    executeRollout(
        ctx,
        caller,
        body,
        BlueGreenDeployment.TYPE,
        "the BlueGreenRequest: target, previewService, analysis, postAnalysis, ...",
        BlueGreenRequest.class,
        asked ->
            new BlueGreenRequest(
                asked.target(),
                asked.previewService(),
                asked.analysis(),
                asked.postAnalysis(),
                asked.approveBeforeSwitch(),
                asked.scaleDownDelay(),
                asked.retryWindow(),
                asCaller(asked.run(), caller)),
        request ->
            RolloutDoor.start(executions.client(), catalog.taskQueue(), request, requestId(ctx)),
        BlueGreenRequest::target);
  }

  /** An ML model deployment goes through {@link RolloutDoor} the same way. */
  private void executeMlDeployment(Context ctx, ApiCaller caller, JsonNode body) {
    executeRollout(
        ctx,
        caller,
        body,
        MlModelDeployment.TYPE,
        "the MlDeploymentRequest: target, modelVersion, acceptanceThreshold, ...",
        MlDeploymentRequest.class,
        asked ->
            new MlDeploymentRequest(
                asked.target(),
                asked.modelVersion(),
                asked.previewService(),
                asked.acceptanceThreshold(),
                asked.trafficPercentage(),
                asked.monitoringDuration(),
                asked.analysis(),
                asked.maxRollbackTime(),
                asCaller(asked.run(), caller)),
        request ->
            RolloutDoor.start(executions.client(), catalog.taskQueue(), request, requestId(ctx)),
        MlDeploymentRequest::target);
  }

  private static RunEnvelope asCaller(RunEnvelope asked, ApiCaller caller) {
    return new RunEnvelope(asked.severity(), null, caller.name(), asked.human());
  }

  /**
   * A rollout request read strictly from {@code context}, with the caller as requester, started
   * through its door on its Deployment's workflow ID: 400 naming the field, 409 when one runs.
   */
  private <R> void executeRollout(
      Context ctx,
      ApiCaller caller,
      JsonNode body,
      String type,
      String shape,
      Class<R> requestType,
      java.util.function.UnaryOperator<R> withCaller,
      java.util.function.Function<R, RunStarted> door,
      java.util.function.Function<R, RolloutTarget> targetOf) {
    if (body.hasNonNull("workflowId")) {
      throw ApiError.badRequest(
          "workflowId: a rollout's workflow ID is rollout-<namespace>.<deployment>, one per"
              + " Deployment; leave it out");
    }
    JsonNode context = body.get("context");
    if (context == null || !context.isObject()) {
      throw ApiError.badRequest("context: must be a JSON object (" + shape + ")");
    }
    JsonNode run = context.path("run");
    if (run.hasNonNull("alert")) {
      throw ApiError.badRequest(
          "context.run.alert: a run started through the API has no alert; leave it out");
    }
    if (run.hasNonNull("requestedBy") && !run.get("requestedBy").asText().equals(caller.name())) {
      throw ApiError.badRequest(
          "context.run.requestedBy: the API records the caller ("
              + caller.name()
              + ") as the requester; leave it out");
    }
    R asked;
    try {
      asked = STRICT.treeToValue(context, requestType);
    } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
      String at =
          e.getPath().stream()
              .map(
                  r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
              .collect(java.util.stream.Collectors.joining());
      if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
        throw ApiError.badRequest(
            "context"
                + at
                + ": unknown field; expected "
                + String.join(
                    ", ", u.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList()));
      }
      throw ApiError.badRequest("context" + at + ": " + e.getOriginalMessage().split("\n")[0]);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw ApiError.badRequest("context: " + e.getOriginalMessage());
    }
    R request = withCaller.apply(asked);
    RunStarted started;
    try {
      started = door.apply(request);
    } catch (RolloutDoor.Refused e) {
      throw ApiError.badRequest(
          String.join("; ", e.problems().stream().map(p -> "context." + p).toList()));
    }
    ctx.attribute("executionId", started.workflowId());
    WorkflowExecution execution =
        WorkflowExecution.newBuilder()
            .setWorkflowId(started.workflowId())
            .setRunId(started.runId())
            .build();
    Map<String, Object> answer = started(execution, type, caller);
    answer.put("status", "RUNNING");
    answer.put("rolloutUrl", "/api/rollouts/" + started.workflowId());
    RolloutTarget t = targetOf.apply(request);
    String target = t.namespace() + "/" + t.deployment();
    if (started.alreadyRunning()) {
      answer.put(
          "error", "a rollout of " + target + " is already running; follow it at rolloutUrl");
      ctx.attribute("audit", "refused " + type + " of " + target + ": one runs");
      ctx.status(409).json(answer);
      return;
    }
    ctx.attribute("audit", "started " + type + " of " + target);
    ctx.status(202).json(answer);
  }

  /**
   * A remediation goes through the door every alert goes through: parsed and checked before
   * anything starts (the server's policy, the caller as requester, the names of the target), then
   * delivered with signal-with-start on the problem's workflow ID. A second start for the same
   * problem joins the run already on it.
   */
  private void executeRemediation(Context ctx, ApiCaller caller, String type, JsonNode body)
      throws Exception {
    if (body.hasNonNull("workflowId")) {
      throw ApiError.badRequest(
          "workflowId: a remediation's workflow ID is derived from its problem (procedure and"
              + " target), so one problem is one run; leave it out");
    }
    boolean async = bool(body, "async", true);
    int timeoutSeconds = integer(body, "timeoutSeconds", 60, 1, MAX_WAIT_SECONDS);
    JsonNode contextNode = body.get("context");
    if (contextNode != null && !contextNode.isNull() && !contextNode.isObject()) {
      throw ApiError.badRequest("context: must be a JSON object (the remediation request)");
    }
    RemediationRequest request;
    try {
      request =
          OperatorStart.request(type, contextNode, caller.name(), "the REST API", Instant.now());
    } catch (OperatorStart.Refused e) {
      throw ApiError.badRequest(e.describe("context."));
    }
    ctx.attribute("executionId", request.workflowId());
    DispatchResult delivered = executions.remediate(request, catalog.taskQueue());
    WorkflowStub stub = executions.run(delivered.workflowId(), delivered.runId());
    WorkflowExecution execution =
        WorkflowExecution.newBuilder()
            .setWorkflowId(delivered.workflowId())
            .setRunId(delivered.runId())
            .build();
    Map<String, Object> answer = started(execution, type, caller);
    answer.put("target", request.target().key());
    answer.put("severity", request.severity());
    ctx.attribute("audit", "delivered " + type + " for " + request.target().key());
    answer(ctx, answer, stub, async, timeoutSeconds, type);
  }

  /** The Temporal request ID of this request's start: its idempotency key's, or null. */
  private static String requestId(Context ctx) {
    IdempotencyKey key = ctx.attribute(IdempotencyKey.ATTRIBUTE);
    return key == null ? null : key.requestId();
  }

  private Map<String, Object> started(WorkflowExecution execution, String type, ApiCaller caller) {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("executionId", execution.getWorkflowId());
    answer.put("runId", execution.getRunId());
    answer.put("workflowType", type);
    answer.put("taskQueue", catalog.taskQueue());
    answer.put("requestedBy", caller.name());
    answer.put("statusUrl", "/api/runbooks?executionId=" + execution.getWorkflowId());
    return answer;
  }

  /** 202 at once (async), or the result within {@code timeoutSeconds}. */
  private void answer(
      Context ctx,
      Map<String, Object> answer,
      WorkflowStub stub,
      boolean async,
      int timeoutSeconds,
      String type) {
    String workflowId = String.valueOf(answer.get("executionId"));
    if (async) {
      answer.put("status", "RUNNING");
      ctx.status(202).json(answer);
      return;
    }
    try {
      // Waiting for the result is what the caller asked for ("wait"), not a call that may hang:
      // it runs outside the request's deadline, bounded by timeoutSeconds.
      JsonNode result =
          outsideTheDeadline(
              () -> stub.getResult(timeoutSeconds, TimeUnit.SECONDS, JsonNode.class));
      answer.put("status", "COMPLETED");
      answer.put("result", result);
      ctx.status(200).json(answer);
    } catch (TimeoutException e) {
      answer.put("status", "RUNNING");
      answer.put("note", "still running after " + timeoutSeconds + "s; follow it at statusUrl");
      ctx.status(202).json(answer);
    } catch (WorkflowFailedException e) {
      // Only the status: a full describe would also read the history and query the run.
      answer.put(
          "status",
          executions.info(workflowId).map(i -> Executions.status(i.getStatus())).orElse("FAILED"));
      answer.put("failure", Executions.rootMessage(e));
      ctx.attribute(
          "audit", "started " + type + "; it did not complete: " + Executions.rootMessage(e));
      ctx.status(200).json(answer);
    }
  }

  private static <T> T outsideTheDeadline(Callable<T> call) throws TimeoutException {
    try {
      return io.grpc.Context.current().fork().call(call);
    } catch (TimeoutException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The workflow type named by {@code workflowType} or by {@code runbookId} (kebab-case). */
  private String type(String workflowType, String runbookId) {
    if (workflowType == null && runbookId == null) {
      throw ApiError.badRequest(
          "workflowType or runbookId: one is required; known types: "
              + String.join(", ", catalog.types()));
    }
    String byRunbook = null;
    if (runbookId != null) {
      byRunbook =
          catalog.types().stream()
              .filter(t -> kebab(t).equals(runbookId))
              .findFirst()
              .orElseThrow(
                  () ->
                      ApiError.badRequest(
                          "runbookId: unknown runbook '"
                              + runbookId
                              + "'; known: "
                              + String.join(
                                  ", ",
                                  java.util.stream.Stream.concat(
                                          runbooks.runbooks().keySet().stream(),
                                          catalog.types().stream().map(RestApi::kebab))
                                      .toList())));
    }
    if (workflowType != null) {
      if (!catalog.types().contains(workflowType)) {
        throw ApiError.badRequest(
            "workflowType: unknown workflow type '"
                + workflowType
                + "'; known types: "
                + String.join(", ", catalog.types()));
      }
      if (byRunbook != null && !byRunbook.equals(workflowType)) {
        throw ApiError.badRequest("workflowType and runbookId name different procedures; give one");
      }
      return workflowType;
    }
    return byRunbook;
  }

  /** {@code CrashLoopRemediation} -> {@code crash-loop-remediation}. */
  public static String kebab(String type) {
    return type.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  // ---- GET /api/runbooks ---------------------------------------------------------------------

  private void read(Context ctx, ApiCaller caller) {
    String executionId = ctx.queryParam("executionId");
    if (executionId != null) {
      if (executionId.isBlank()) {
        throw ApiError.badRequest("executionId: must not be empty");
      }
      ctx.attribute("executionId", executionId);
      Map<String, Object> view =
          executions
              .describe(executionId)
              .orElseThrow(() -> ApiError.notFound("no execution '" + executionId + "'"));
      if (RunbookWorkflow.TYPE.equals(view.get("workflowType"))) {
        executions.runbookView(executionId, String.valueOf(view.get("runId")), view);
      }
      ctx.json(view);
      return;
    }
    String status = Optional.ofNullable(ctx.queryParam("status")).orElse("active");
    if (!status.equals("active") && !status.equals("closed")) {
      throw ApiError.badRequest(
          "status: expected 'active' or 'closed', got '" + status + "' (or give executionId)");
    }
    int limit = intParam(ctx, "limit", 100, 1, 1000);
    String ofRunbook = ctx.queryParam("runbookId");
    List<Map<String, Object>> rows = new java.util.ArrayList<>();
    for (Map<String, Object> row : executions.list(status.equals("closed"), limit)) {
      if (RunbookWorkflow.TYPE.equals(row.get("workflowType"))) {
        row.put(
            "runbookId", RunbookDoor.runbookOf(String.valueOf(row.get("executionId")), runbooks));
      }
      if (ofRunbook == null || ofRunbook.equals(row.get("runbookId"))) {
        rows.add(row);
      }
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("status", status);
    answer.put("count", rows.size());
    answer.put("executions", rows);
    ctx.json(answer);
  }

  // ---- DELETE /api/runbooks?executionId= -----------------------------------------------------

  private void cancel(Context ctx, ApiCaller caller) {
    String executionId = ctx.queryParam("executionId");
    if (executionId == null || executionId.isBlank()) {
      throw ApiError.badRequest("executionId: required (DELETE /api/runbooks?executionId=ID)");
    }
    ctx.attribute("executionId", executionId);
    String why = ctx.queryParam("reason");
    String reason = Executions.cancelReason(caller.name(), "the REST API", why);
    Optional<String> refused = executions.cancel(executionId, reason);
    if (refused.isPresent()) {
      throw refused.get().startsWith("no execution")
          ? ApiError.notFound(refused.get())
          : ApiError.conflict(refused.get());
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("executionId", executionId);
    answer.put("cancelRequested", true);
    answer.put("reason", reason);
    ctx.attribute("audit", reason);
    ctx.status(202).json(answer);
  }

  // ---- POST /api/executions/{id}/terminate --------------------------------------------------

  /**
   * For a run that cancellation cannot stop (its cleanup hangs, its workflow task keeps failing):
   * Temporal ends it at once and records the reason; nothing of the run's cleanup runs, so a held
   * governor slot is freed only when its lease runs out.
   */
  private void terminate(Context ctx, ApiCaller caller) {
    String executionId = ctx.pathParam("id");
    ctx.attribute("executionId", executionId);
    JsonNode body = objectBody(ctx);
    for (var it = body.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!field.equals("reason")) {
        throw ApiError.badRequest(field + ": unknown field; expected reason");
      }
    }
    String why = text(body, "reason");
    if (why == null) {
      throw ApiError.badRequest(
          "reason: required (why the run is terminated; it is recorded in its history)");
    }
    if (why.length() > MAX_REASON) {
      throw ApiError.badRequest("reason: at most " + MAX_REASON + " characters");
    }
    WorkflowExecutionInfo run =
        executions
            .info(executionId)
            .orElseThrow(() -> ApiError.notFound("no execution '" + executionId + "'"));
    if (catalog.adminTypes().contains(run.getType().getName())) {
      ApiAuth.authorize(caller, ApiAuth.ADMIN, "terminating " + run.getType().getName());
    }
    String reason = Executions.terminateReason(caller.name(), "the REST API", why);
    executions
        .terminate(run, reason)
        .ifPresent(
            refused -> {
              throw ApiError.conflict(refused);
            });
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("executionId", executionId);
    answer.put("runId", run.getExecution().getRunId());
    answer.put("status", "TERMINATED");
    answer.put("reason", reason);
    ctx.attribute("audit", reason);
    ctx.json(answer);
  }

  // ---- POST /api/executions/{id}/approve|reject ----------------------------------------------

  private void decide(Context ctx, ApiCaller caller, boolean approve) throws Exception {
    String executionId = ctx.pathParam("id");
    ctx.attribute("executionId", executionId);
    String comment = decisionComment(ctx, caller);
    String verb = approve ? "approve" : "reject";
    ApprovalStatus status =
        answered(
            executionId,
            verb,
            () -> executions.decide(executionId, approve, new Decision(caller.name(), comment)));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("executionId", executionId);
    answer.put("decision", verb);
    answer.put("by", caller.name());
    answer.put("state", status == null ? "" : status.state().name());
    answer.put("approvals", status == null ? 0 : status.approvals());
    answer.put("required", status == null ? 0 : status.required());
    ctx.attribute("audit", verb + " counted; request " + answer.get("state"));
    ctx.json(answer);
  }

  /**
   * The optional {@code {"comment"}} body of a decision or a rollout command; the decider is the
   * caller, never a field.
   */
  private String decisionComment(Context ctx, ApiCaller caller) throws Exception {
    String comment = "";
    String raw = bodies.utf8(ctx, "application/json");
    if (!raw.isBlank()) {
      JsonNode body = objectBody(raw);
      for (var it = body.fieldNames(); it.hasNext(); ) {
        String field = it.next();
        if (field.equals("by")) {
          throw ApiError.badRequest(
              "by: the API records the caller (" + caller.name() + "); leave it out");
        }
        if (!field.equals("comment")) {
          throw ApiError.badRequest(field + ": unknown field; expected comment");
        }
      }
      comment = Optional.ofNullable(text(body, "comment")).orElse("");
    }
    return comment;
  }

  // ---- GET /api/rollouts/{id}, POST /api/rollouts/{id}/<command> ------------------------------

  /** What {@code opsflow status ID} shows, for any workflow: {@link Executions#statusView}. */
  private void executionStatus(Context ctx, ApiCaller caller) {
    String executionId = ctx.pathParam("id");
    ctx.attribute("executionId", executionId);
    try {
      ctx.json(executions.statusView(executionId));
    } catch (Executions.NoStatus e) {
      throw e.notFound() ? ApiError.notFound(e.getMessage()) : ApiError.conflict(e.getMessage());
    }
  }

  private void rolloutStatus(Context ctx, ApiCaller caller) {
    String executionId = ctx.pathParam("id");
    ctx.attribute("executionId", executionId);
    WorkflowExecutionInfo run =
        executions
            .info(executionId)
            .orElseThrow(() -> ApiError.notFound("no execution '" + executionId + "'"));
    JsonNode status;
    try {
      status =
          executions
              .run(executionId, run.getExecution().getRunId())
              .query(OperatorNames.STATUS, JsonNode.class);
    } catch (WorkflowQueryException e) {
      throw ApiError.conflict(
          "'"
              + executionId
              + "' ("
              + run.getType().getName()
              + ") does not answer a rollout status: "
              + Executions.rootMessage(e));
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("executionId", executionId);
    answer.put("runId", run.getExecution().getRunId());
    answer.put("workflowType", run.getType().getName());
    answer.put("runStatus", Executions.status(run.getStatus()));
    answer.put("rollout", status);
    ctx.json(answer);
  }

  private void steer(Context ctx, ApiCaller caller, String command) throws Exception {
    String executionId = ctx.pathParam("id");
    ctx.attribute("executionId", executionId);
    String comment = decisionComment(ctx, caller);
    JsonNode status =
        answered(
            executionId,
            command,
            () -> executions.steer(executionId, command, new Decision(caller.name(), comment)));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("executionId", executionId);
    answer.put("command", command);
    answer.put("by", caller.name());
    answer.put("rollout", status);
    ctx.attribute("audit", command + " counted; phase " + status.path("phase").asText());
    ctx.json(answer);
  }

  /**
   * A human's answer sent through an Update: no running run is 404, the run's refusal 403 or 409
   * with its reason (see {@link #refusalStatus}).
   */
  private static <T> T answered(String executionId, String verb, Supplier<T> update) {
    try {
      return update.get();
    } catch (WorkflowNotFoundException e) {
      throw ApiError.notFound("no running execution '" + executionId + "'");
    } catch (WorkflowUpdateException e) {
      String type = Refusal.typeOf(e);
      throw new ApiError(
          refusalStatus(type),
          "your " + verb + " did not count: " + Refusal.messageOf(e) + refusalTag(type));
    }
  }

  /**
   * A refusal about who decides (not an approver, four-eyes: {@link Refusal#ABOUT_WHO}) is 403; one
   * about the run's state (it no longer waits, it was already decided) is 409. The type comes from
   * the run's typed refusal, never from its wording.
   */
  static int refusalStatus(String refusalType) {
    return Refusal.ABOUT_WHO.contains(refusalType) ? 403 : 409;
  }

  private static String refusalTag(String type) {
    return type.isEmpty() ? "" : " [" + type + "]";
  }

  // ---- GET /api/approvals, GET /api/audit ----------------------------------------------------

  private void approvals(Context ctx, ApiCaller caller) {
    String kind = ctx.queryParam("kind");
    if (kind != null && !kind.equals(HumanTask.APPROVAL) && !kind.equals(HumanTask.FAILED_STEP)) {
      throw ApiError.badRequest(
          "kind: expected '" + HumanTask.APPROVAL + "' or '" + HumanTask.FAILED_STEP + "'");
    }
    ctx.json(inbox.read(kind).toJson());
  }

  private void auditTail(Context ctx, ApiCaller caller) {
    int limit = intParam(ctx, "limit", 100, 1, 500);
    ctx.json(Map.of("entries", audit.recent(limit)));
  }

  // ---- input helpers -------------------------------------------------------------------------

  private JsonNode objectBody(Context ctx) {
    return objectBody(bodies.utf8(ctx, "application/json"));
  }

  private static JsonNode objectBody(String raw) {
    if (raw.isBlank()) {
      throw ApiError.badRequest("the body must be a JSON object");
    }
    JsonNode body;
    try {
      body = JSON.readTree(raw);
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      throw ApiError.badRequest(
          "the body is not valid JSON (" + e.getOriginalMessage() + where + ")");
    }
    if (body == null || !body.isObject()) {
      throw ApiError.badRequest("the body must be a JSON object");
    }
    return body;
  }

  private static String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual() || v.asText().isBlank()) {
      throw ApiError.badRequest(field + ": must be a non-empty string");
    }
    return v.asText();
  }

  private static boolean bool(JsonNode body, String field, boolean fallback) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isBoolean()) {
      throw ApiError.badRequest(field + ": must be true or false");
    }
    return v.asBoolean();
  }

  private static int integer(JsonNode body, String field, int fallback, int min, int max) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
      throw ApiError.badRequest(field + ": must be a whole number from " + min + " to " + max);
    }
    return v.asInt();
  }

  private static int intParam(Context ctx, String name, int fallback, int min, int max) {
    String raw = ctx.queryParam(name);
    if (raw == null) {
      return fallback;
    }
    try {
      int v = Integer.parseInt(raw.trim());
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiError.badRequest(name + ": must be a whole number from " + min + " to " + max);
  }
}
