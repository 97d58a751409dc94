package dev.opsflow.workflows.runbook;

import dev.opsflow.activities.dispatch.DispatchOptions;
import dev.opsflow.activities.dispatch.PolicyActivities;
import dev.opsflow.activities.notify.NotificationActivities;
import dev.opsflow.activities.notify.NotificationOptions;
import dev.opsflow.activities.notify.PagerDutyEvent;
import dev.opsflow.activities.runbook.ActionAnswer;
import dev.opsflow.activities.runbook.OperationCall;
import dev.opsflow.activities.runbook.ProbeAnswer;
import dev.opsflow.activities.runbook.RunbookActivities;
import dev.opsflow.activities.runbook.RunbookExpressionActivities;
import dev.opsflow.activities.runbook.RunbookNotice;
import dev.opsflow.activities.runbook.RunbookOptions;
import dev.opsflow.config.Durations;
import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.ApprovalResult;
import dev.opsflow.contracts.human.HumanPolicy;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.contracts.runbook.ActionStep;
import dev.opsflow.contracts.runbook.ApprovalStep;
import dev.opsflow.contracts.runbook.CheckStep;
import dev.opsflow.contracts.runbook.DecisionBranch;
import dev.opsflow.contracts.runbook.DecisionStep;
import dev.opsflow.contracts.runbook.LoopStep;
import dev.opsflow.contracts.runbook.NotifyStep;
import dev.opsflow.contracts.runbook.ParallelStep;
import dev.opsflow.contracts.runbook.PinnedRunbook;
import dev.opsflow.contracts.runbook.PlannedAction;
import dev.opsflow.contracts.runbook.RunbookCatalog;
import dev.opsflow.contracts.runbook.RunbookDefinition;
import dev.opsflow.contracts.runbook.RunbookEvent;
import dev.opsflow.contracts.runbook.RunbookNames;
import dev.opsflow.contracts.runbook.RunbookOperation;
import dev.opsflow.contracts.runbook.RunbookPhase;
import dev.opsflow.contracts.runbook.RunbookRequest;
import dev.opsflow.contracts.runbook.RunbookResult;
import dev.opsflow.contracts.runbook.RunbookStatus;
import dev.opsflow.contracts.runbook.RunbookStep;
import dev.opsflow.contracts.runbook.RunbookWorkflow;
import dev.opsflow.contracts.runbook.StepRecord;
import dev.opsflow.contracts.runbook.StepRecord.StepOutcome;
import dev.opsflow.contracts.runbook.WaitStep;
import dev.opsflow.workflows.kernel.Failures;
import dev.opsflow.workflows.kernel.ProcedureRun;
import dev.opsflow.workflows.kernel.SupervisedHandlers;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * The interpreter of runbooks as data, on the procedure kernel: walks the pinned definition from
 * {@code startWith} through each step's transitions, keeps every step's result in the context, and
 * ends in a decision. A step that fails goes to its {@code onFailure}; one with nowhere to go ends
 * the run FAILED, and the kernel tells humans why (a dry run tells nobody: it changes nothing).
 * Approvals are the kernel's gate; the server's approval policy for {@value RunbookWorkflow#TYPE}
 * also applies before every action that changes something, and the activities enforce the server's
 * hard limits again where they act.
 *
 * <p>Expressions run as local activities ({@link RunbookExpressionActivities}), so each answer is
 * in the history and a replay reads it back.
 */
public class RunbookWorkflowImpl extends SupervisedHandlers implements RunbookWorkflow {
  private static final Logger log = Workflow.getLogger(RunbookWorkflowImpl.class);

  /**
   * Steps one run may take in all, loop passes and cycles included. It bounds the history (a run
   * does not continue as new); a runbook that needs more fails with this reason.
   */
  static final int MAX_STEPS = 2_000;

  /** Passes of a loop that names no {@code maxIterations}. */
  static final int DEFAULT_MAX_ITERATIONS = 100;

  /** How long an approval step that names no timeout waits. */
  static final Duration DEFAULT_APPROVAL_TIMEOUT = Duration.ofHours(1);

  /** The failure type of a runbook that ended on a failed step, as humans were told it. */
  static final String RUNBOOK_FAILED = "RunbookFailed";

  /**
   * Version marker: from version 1 a mutating Kubernetes action takes the blast-radius governor's
   * slot in its namespace before it acts and gives it back after (runs recorded before it never
   * asked the governor).
   */
  static final String GOVERNOR_LEASE = "runbook-governor-lease";

  /** The shortest governor lease of an action: a slot outlives a slow action's retries. */
  static final long MIN_LEASE_SECONDS = 600;

  private final PolicyActivities policies =
      Workflow.newActivityStub(PolicyActivities.class, DispatchOptions.POLICY);
  private final RunbookActivities subscribers =
      Workflow.newActivityStub(RunbookActivities.class, DispatchOptions.POLICY);
  // Events, messages and pages: a notification is worth retrying for minutes, a page for longer.
  private final RunbookActivities delivering =
      Workflow.newActivityStub(RunbookActivities.class, NotificationOptions.NOTIFY);
  private final RunbookActivities paging =
      Workflow.newActivityStub(RunbookActivities.class, NotificationOptions.PAGE);
  private final NotificationActivities pages =
      Workflow.newActivityStub(NotificationActivities.class, NotificationOptions.PAGE);
  private final RunbookExpressionActivities expressions =
      Workflow.newLocalActivityStub(RunbookExpressionActivities.class, RunbookOptions.EXPRESSIONS);

  private final ProcedureRun run =
      new ProcedureRun(RunbookPhase.RUNNING.name(), (step, target, ok) -> {});
  private final Map<String, Object> stepsContext = new LinkedHashMap<>();
  private final List<StepRecord> history = new ArrayList<>();
  private final List<RunbookEvent> events = new ArrayList<>();
  private final List<PlannedAction> plan = new ArrayList<>();

  private RunbookRequest request;
  private RunbookDefinition definition;
  private Map<String, Object> input = Map.of();
  private HumanPolicy human = HumanPolicy.DEFAULT;
  private HealingPolicy server;
  private final RunbookGovernorSlot slot = new RunbookGovernorSlot();
  private RunbookPhase ended;
  private Long endedAtMillis;
  private String currentStep = "";
  private String failure = "";
  private int stepsTaken;
  private boolean pageOpen;
  private List<String> eventSubscribers = List.of();
  private int delivered;
  private boolean closing;
  private Promise<Void> delivery;

  /** Where a step runs: its scope's label and the names a loop pass adds. */
  private record Scope(String path, Map<String, Object> locals) {
    static final Scope TOP = new Scope("", Map.of());

    Scope inner(String segment, String name, Object value) {
      Map<String, Object> more = new LinkedHashMap<>(locals);
      if (name != null) {
        more.put(name, value);
      }
      return new Scope(path.isEmpty() ? segment : path + "/" + segment, more);
    }
  }

  /** How one step ended; {@code next} is set only by a decision. */
  private record Done(
      StepOutcome outcome, Object result, String detail, int attempts, String next) {
    static Done succeeded(Object result, String detail, int attempts) {
      return new Done(StepOutcome.SUCCEEDED, result, detail, attempts, null);
    }

    static Done failed(Object result, String detail, int attempts) {
      return new Done(StepOutcome.FAILED, result, detail, attempts, null);
    }

    static Done planned(String detail) {
      return new Done(StepOutcome.PLANNED, null, detail, 0, null);
    }
  }

  /** How a walk (the run, a loop pass, a parallel branch) ended: its last step's outcome. */
  private record Ended(boolean success, String failure, String lastStep) {}

  @Override
  public RunbookResult run(RunbookRequest request) {
    validate(request);
    this.request = request;
    this.definition = request.runbook().definition();
    this.input = input(definition, request.context());
    try {
      server = policies.serverPolicy();
      human = server.human(TYPE);
      run.begin(
          new ProcedureRun.Identity(
              TYPE, definition.id(), new RunEnvelope(severity(), null, request.by(), null)),
          human);
      emit(
          RunbookEvent.EXECUTION_STARTED,
          null,
          (request.dryRun() ? "dry run of " : "")
              + definition.id()
              + " version "
              + definition.version()
              + " (sha256 "
              + request.runbook().sha256()
              + ") by "
              + request.by());
      if (!request.dryRun()) {
        eventSubscribers = subscribers.eventSubscribers();
        if (!eventSubscribers.isEmpty()) {
          delivery = Async.procedure(this::deliverInOrder);
        }
        if (definition.tags().contains(RunbookNames.CRITICAL_TAG)) {
          openPage();
        }
      }
      Ended walked = walk(definition.startWith(), Scope.TOP);
      currentStep = "";
      if (walked.success()) {
        end(
            RunbookPhase.SUCCEEDED,
            RunbookEvent.EXECUTION_COMPLETED,
            "ended at " + walked.lastStep());
        resolvePage();
      } else {
        failure = walked.failure();
        end(RunbookPhase.FAILED, RunbookEvent.EXECUTION_FAILED, failure);
        if (!request.dryRun()) {
          // Every failure ends in a decision: humans hear which step failed and why.
          failure =
              run.failed(
                  ApplicationFailure.newNonRetryableFailure(failure, RUNBOOK_FAILED),
                  RunbookPhase.FAILED.name());
        }
      }
    } catch (CanceledFailure e) {
      cancelled();
      throw e;
    } catch (RuntimeException e) {
      if (CancellationScope.current().isCancelRequested()) {
        cancelled();
        throw new CanceledFailure("cancelled at step " + currentStep);
      }
      // Something the interpreter did not expect (a bug, a bound reached): it still ends in a
      // decision, with the reason, instead of a workflow task that retries while nobody hears.
      failure = Failures.reason(e);
      end(RunbookPhase.FAILED, RunbookEvent.EXECUTION_FAILED, failure);
      if (!request.dryRun()) {
        failure = run.failed(e, RunbookPhase.FAILED.name());
      }
    }
    return result();
  }

  @Override
  public RunbookStatus status() {
    if (request == null) {
      return new RunbookStatus(
          "",
          "",
          "",
          "",
          RunbookPhase.RUNNING,
          "",
          0,
          null,
          false,
          null,
          null,
          null,
          null,
          null,
          "");
    }
    PinnedRunbook pinned = request.runbook();
    return new RunbookStatus(
        definition.id(),
        definition.version(),
        pinned.sha256(),
        pinned.source(),
        phase(),
        currentStep,
        run.startedAtMillis(),
        endedAtMillis,
        request.dryRun(),
        context(),
        history,
        events,
        plan,
        run.waitingFor(),
        failure);
  }

  @Override
  public void admitted() {
    slot.admitted();
  }

  @Override
  protected ProcedureRun supervised() {
    return run;
  }

  // ---- the door ----

  /** Refused before anything runs, naming the field. */
  private static void validate(RunbookRequest request) {
    if (request == null || request.runbook() == null || request.runbook().definition() == null) {
      throw invalid(
          "runbook is required: the pinned definition (source, sha256, content, definition)");
    }
    PinnedRunbook pinned = request.runbook();
    RunbookDefinition definition = pinned.definition();
    if (pinned.sha256() == null || pinned.sha256().isBlank()) {
      throw invalid("runbook.sha256 is required: the hash of the content this run runs");
    }
    if (definition.id() == null || definition.id().isBlank()) {
      throw invalid("runbook.definition.id is required");
    }
    if (definition.startWith() == null || definition.step(definition.startWith()) == null) {
      throw invalid(
          "runbook.definition.startWith: no step '" + definition.startWith() + "' in the runbook");
    }
    for (String step : request.simulateFailures()) {
      if (definition.step(step) == null) {
        throw invalid("simulateFailures: no step '" + step + "' in runbook " + definition.id());
      }
    }
    String id = Workflow.getInfo().getWorkflowId();
    String prefix = RunbookNames.ID_PREFIX + definition.id() + "-";
    // Offline replayers (saved histories) substitute a placeholder ID, hence the guard.
    if (!Workflow.isReplaying() && !id.startsWith(prefix)) {
      throw invalid(
          "workflow ID must be RunbookNames.workflowId: " + prefix + "<key> (got " + id + ")");
    }
  }

  private static ApplicationFailure invalid(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, "InvalidInput");
  }

  /** The declared variables' defaults, overridden by the run's input. */
  private static Map<String, Object> input(
      RunbookDefinition definition, Map<String, Object> context) {
    Map<String, Object> values = new LinkedHashMap<>(definition.variables());
    values.putAll(context);
    return values;
  }

  private String severity() {
    if (request.severity() != null) {
      return request.severity();
    }
    return definition.tags().contains(RunbookNames.CRITICAL_TAG) ? "critical" : "medium";
  }

  // ---- the walk ----

  /** Follows transitions from {@code first} until a step names no next step for its outcome. */
  private Ended walk(String first, Scope scope) {
    String stepId = first;
    Ended last = new Ended(true, "", "");
    while (stepId != null) {
      RunbookStep step = definition.step(stepId);
      if (step == null) {
        throw new IllegalStateException("no step '" + stepId + "' in the runbook");
      }
      stepsTaken++;
      if (stepsTaken > MAX_STEPS) {
        throw ApplicationFailure.newNonRetryableFailure(
            "the run took "
                + MAX_STEPS
                + " steps, the most one run may take (a cycle that never ends?); last: "
                + stepId,
            RUNBOOK_FAILED);
      }
      Done done = take(step, scope);
      String next = next(step, done);
      boolean ok = done.outcome() != StepOutcome.FAILED;
      last =
          new Ended(
              ok, ok ? "" : "step " + label(step, scope) + " failed: " + done.detail(), stepId);
      stepId = next;
    }
    return last;
  }

  private static String next(RunbookStep step, Done done) {
    if (step instanceof DecisionStep) {
      return done.next();
    }
    return step.transitions().get(done.outcome() == StepOutcome.FAILED ? "onFailure" : "onSuccess");
  }

  /** Runs one step: events before and after, its record, its result in the context. */
  private Done take(RunbookStep step, Scope scope) {
    currentStep = label(step, scope);
    long started = Workflow.currentTimeMillis();
    emit(RunbookEvent.STEP_STARTED, step.id(), scope.path());
    Done done;
    if (request.simulatesFailureOf(step.id())) {
      done = Done.failed(null, "simulated failure (test mode: simulateFailures)", 0);
    } else {
      try {
        done = dispatch(step, scope);
      } catch (ActivityFailure e) {
        if (CancellationScope.current().isCancelRequested()) {
          throw new CanceledFailure("cancelled at step " + step.id());
        }
        done = Done.failed(null, Failures.reason(e), 0);
      }
    }
    String next = next(step, done);
    history.add(
        new StepRecord(
            step.id(),
            type(step),
            scope.path(),
            done.outcome(),
            started,
            Workflow.currentTimeMillis(),
            done.attempts(),
            done.result(),
            done.detail(),
            next));
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("result", done.result());
    entry.put("outcome", done.outcome().name().toLowerCase());
    entry.put("error", done.outcome() == StepOutcome.FAILED ? done.detail() : null);
    stepsContext.put(step.id(), entry);
    boolean ok = done.outcome() != StepOutcome.FAILED;
    run.record(step.id(), definition.id(), ok, done.detail());
    emit(ok ? RunbookEvent.STEP_SUCCEEDED : RunbookEvent.STEP_FAILED, step.id(), done.detail());
    if (!ok && !request.dryRun()) {
      RunbookMetrics.stepFailed(definition.id(), step.id());
    }
    return done;
  }

  private Done dispatch(RunbookStep step, Scope scope) {
    if (step instanceof CheckStep check) {
      return check(check, scope);
    }
    if (step instanceof ActionStep action) {
      return action(action, scope);
    }
    if (step instanceof DecisionStep decision) {
      return decide(decision, scope);
    }
    if (step instanceof NotifyStep notify) {
      return notify(notify, scope);
    }
    if (step instanceof WaitStep wait) {
      return await(wait);
    }
    if (step instanceof ApprovalStep approval) {
      return approve(approval, scope);
    }
    if (step instanceof ParallelStep parallel) {
      return parallel(parallel, scope);
    }
    return loop((LoopStep) step, scope);
  }

  // ---- the step kinds ----

  /** Asks the probe (probes only read, so a dry run asks too, but runs no command). */
  private Done check(CheckStep step, Scope scope) {
    RunbookOperation probe = operation(RunbookOperation.Kind.PROBE, step.probe());
    Map<String, Object> vars = variables(scope);
    Map<String, Object> parameters = expressions.parameters(step.probe(), step.parameters(), vars);
    if (request.dryRun() && probe.needsCommands()) {
      return planned(step.id(), scope, step.probe(), parameters, "would run a command probe");
    }
    ActivityOptions options =
        RunbookOptions.forStep(
            step.timeout(),
            step.retry(),
            RunbookOptions.PROBE_TIMEOUT,
            probe.needsCommands() ? 1 : RunbookOptions.DEFAULT_ATTEMPTS);
    ProbeAnswer answer =
        Workflow.newActivityStub(RunbookActivities.class, options)
            .probe(call(step.probe(), parameters, options));
    boolean passed = answer.passed();
    String detail = answer.detail();
    if (step.condition() != null) {
      Map<String, Object> withResult = new LinkedHashMap<>(vars);
      withResult.put("result", answer.result());
      passed = expressions.holds(step.condition(), withResult);
      detail += "; " + step.condition().strip() + (passed ? " holds" : " does not hold");
    }
    int attempts = Math.max(1, answer.attempt());
    return passed
        ? Done.succeeded(answer.result(), detail, attempts)
        : Done.failed(answer.result(), detail, attempts);
  }

  /**
   * Takes the action, or in a dry run reports it with its parameters. A real action that changes
   * something first passes the server's approval policy, as a built-in procedure's would.
   */
  private Done action(ActionStep step, Scope scope) {
    RunbookOperation action = operation(RunbookOperation.Kind.ACTION, step.action());
    Map<String, Object> parameters =
        expressions.parameters(step.action(), step.parameters(), variables(scope));
    if (request.dryRun() && action.mutates()) {
      return planned(step.id(), scope, step.action(), parameters, "would " + step.action());
    }
    if (action.mutates()) {
      Object namespace = parameters.get("namespace");
      ApprovalPolicy policy = human.approvalFor(namespace == null ? null : namespace.toString());
      if (policy != null) {
        String what = step.action() + " " + parameters + " (runbook " + definition.id() + ")";
        ApprovalResult answer =
            run.approval(RunbookPhase.WAITING_FOR_HUMAN.name(), what, policy, () -> false);
        run.enter(RunbookPhase.RUNNING.name(), step.id());
        if (answer != ApprovalResult.APPROVED) {
          return Done.failed(
              answer.name().toLowerCase(),
              "the server's approval policy: " + run.approvalOutcome(answer, what),
              0);
        }
      }
    }
    ActivityOptions options =
        RunbookOptions.forStep(
            step.timeout(),
            step.retry(),
            RunbookOptions.ACTION_TIMEOUT,
            action.needsCommands() ? 1 : RunbookOptions.DEFAULT_ATTEMPTS);
    // A Kubernetes change counts against the server's blast radius as a remediation's does: the
    // slot is taken after any human approval (nobody holds it while waiting for a person).
    boolean leased =
        action.mutates()
            && step.action().startsWith(KUBERNETES)
            && Workflow.getVersion(GOVERNOR_LEASE, Workflow.DEFAULT_VERSION, 1) == 1;
    if (leased) {
      String refused =
          slot.acquire(
              String.valueOf(parameters.get("namespace")),
              severity(),
              server,
              leaseSeconds(options));
      if (refused != null) {
        return Done.failed(null, refused, 0);
      }
    }
    ActionAnswer answer;
    try {
      answer =
          Workflow.newActivityStub(RunbookActivities.class, options)
              .act(call(step.action(), parameters, options));
    } finally {
      if (leased) {
        slot.release();
      }
    }
    return Done.succeeded(answer.result(), answer.detail(), Math.max(1, answer.attempt()));
  }

  private static final String KUBERNETES = "kubernetes.";

  /** Long enough for every attempt of the action twice over, and at least ten minutes. */
  private static long leaseSeconds(ActivityOptions options) {
    int attempts =
        options.getRetryOptions() == null
            ? 1
            : Math.max(1, options.getRetryOptions().getMaximumAttempts());
    return Math.max(
        MIN_LEASE_SECONDS, 2L * attempts * options.getStartToCloseTimeout().toSeconds());
  }

  /** The first branch whose {@code when} holds, else {@code otherwise}. */
  private Done decide(DecisionStep step, Scope scope) {
    List<String> conditions = step.branches().stream().map(DecisionBranch::when).toList();
    int chosen = conditions.isEmpty() ? -1 : expressions.firstHolding(conditions, variables(scope));
    if (chosen < 0) {
      return new Done(
          StepOutcome.SUCCEEDED,
          "otherwise",
          "no branch holds: otherwise" + (step.otherwise() == null ? " (end)" : ""),
          0,
          step.otherwise());
    }
    DecisionBranch branch = step.branches().get(chosen);
    return new Done(
        StepOutcome.SUCCEEDED,
        branch.name(),
        "branch " + branch.name() + ": " + branch.when().strip(),
        0,
        branch.next());
  }

  private Done notify(NotifyStep step, Scope scope) {
    String message = expressions.text(step.message(), variables(scope));
    String channel = channelName(step.channel());
    Map<String, Object> sent = new LinkedHashMap<>();
    sent.put("channel", channel);
    sent.put("target", step.target());
    sent.put("message", message);
    if (request.dryRun()) {
      return planned(step.id(), scope, "notify." + channel, sent, "would tell " + channel);
    }
    RunbookActivities stub = step.channel() == NotifyStep.Channel.PAGERDUTY ? paging : delivering;
    String detail =
        stub.notify(
            new RunbookNotice(
                Workflow.randomUUID().toString(),
                step.channel(),
                step.target(),
                message,
                step.severity(),
                definition.id(),
                Workflow.getInfo().getWorkflowId()));
    return Done.succeeded(sent, detail, 1);
  }

  /** A durable timer; a dry run does not wait. */
  private Done await(WaitStep step) {
    Duration duration = Durations.parse(step.duration());
    if (request.dryRun()) {
      return Done.planned("would wait " + step.duration());
    }
    Workflow.sleep(duration);
    return Done.succeeded(null, "waited " + step.duration(), 0);
  }

  /** The kernel's approval gate; a dry run reports whom it would ask. */
  private Done approve(ApprovalStep step, Scope scope) {
    String message =
        expressions.text(
            step.message() == null ? "approve " + step.id() : step.message(), variables(scope));
    long timeoutSeconds =
        (step.timeout() == null ? DEFAULT_APPROVAL_TIMEOUT : Durations.parse(step.timeout()))
            .toSeconds();
    ApprovalPolicy policy =
        new ApprovalPolicy(
            step.approvers(),
            step.required() == null ? 1 : step.required(),
            Boolean.TRUE.equals(step.fourEyes()),
            timeoutSeconds,
            step.onTimeout());
    if (request.dryRun()) {
      Map<String, Object> asked = new LinkedHashMap<>();
      asked.put("message", message);
      asked.put("approvers", step.approvers());
      asked.put("required", policy.required());
      return planned(step.id(), scope, "approval", asked, "would ask " + step.approvers());
    }
    ApprovalResult answer =
        run.approval(RunbookPhase.WAITING_FOR_HUMAN.name(), message, policy, () -> false);
    run.enter(RunbookPhase.RUNNING.name(), step.id());
    String outcome = run.approvalOutcome(answer, message);
    return answer == ApprovalResult.APPROVED
        ? Done.succeeded("approved", outcome, 0)
        : Done.failed(answer.name().toLowerCase(), outcome, 0);
  }

  /**
   * Runs the branches at once and joins them. {@code all}: succeeds when every branch did; with
   * {@code fail-fast} the first failure cancels the others, with {@code wait-all} every branch runs
   * to its end. {@code any}: succeeds as soon as one branch did (the others are cancelled) and
   * fails when all failed, so a failed branch never cancels the others.
   */
  private Done parallel(ParallelStep step, Scope scope) {
    int n = step.branches().size();
    List<Ended> results = new ArrayList<>();
    List<RuntimeException> thrown = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      results.add(null);
    }
    CancellationScope branches =
        Workflow.newCancellationScope(
            () -> {
              for (int i = 0; i < n; i++) {
                int index = i;
                String first = step.branches().get(i);
                Scope inner = scope.inner(step.id() + "/" + first, null, null);
                Async.procedure(
                    () -> {
                      try {
                        results.set(index, walk(first, inner));
                      } catch (CanceledFailure e) {
                        results.set(index, new Ended(false, "cancelled", first));
                      } catch (RuntimeException e) {
                        thrown.add(e);
                        results.set(index, new Ended(false, Failures.reason(e), first));
                      }
                    });
              }
            });
    branches.run();
    CancellationScope mine = CancellationScope.current();
    Workflow.await(() -> mine.isCancelRequested() || !thrown.isEmpty() || joined(step, results));
    boolean cancelledOthers = results.contains(null);
    if (cancelledOthers) {
      branches.cancel("parallel step " + step.id() + " decided");
      Workflow.await(() -> !results.contains(null));
    }
    if (mine.isCancelRequested()) {
      throw new CanceledFailure("cancelled in parallel step " + step.id());
    }
    if (!thrown.isEmpty()) {
      throw thrown.get(0);
    }
    Map<String, Object> outcome = new LinkedHashMap<>();
    int succeeded = 0;
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Ended e = results.get(i);
      outcome.put(step.branches().get(i), e.success() ? "succeeded" : "failed");
      if (e.success()) {
        succeeded++;
      } else {
        failures.add(step.branches().get(i) + ": " + e.failure());
      }
    }
    boolean ok = step.join() == ParallelStep.Join.ANY ? succeeded > 0 : succeeded == n;
    String detail =
        succeeded
            + " of "
            + n
            + " branches succeeded (join "
            + step.join().name().toLowerCase()
            + ", "
            + step.failurePolicy().name().toLowerCase().replace('_', '-')
            + ")"
            + (failures.isEmpty() ? "" : "; " + String.join("; ", failures));
    return ok ? Done.succeeded(outcome, detail, 0) : Done.failed(outcome, detail, 0);
  }

  private static boolean joined(ParallelStep step, List<Ended> results) {
    boolean allDone = !results.contains(null);
    if (step.join() == ParallelStep.Join.ANY) {
      return allDone || results.stream().anyMatch(e -> e != null && e.success());
    }
    if (step.failurePolicy() == ParallelStep.FailurePolicy.FAIL_FAST) {
      return allDone || results.stream().anyMatch(e -> e != null && !e.success());
    }
    return allDone;
  }

  /** Passes of the body: once per item ({@code over}) or while a condition holds. */
  private Done loop(LoopStep step, Scope scope) {
    int max = step.maxIterations() == null ? DEFAULT_MAX_ITERATIONS : step.maxIterations();
    if (step.over() != null) {
      List<Object> items = expressions.items(step.over(), variables(scope));
      if (items.size() > max) {
        return Done.failed(
            Map.of("iterations", 0),
            step.over().strip()
                + " yields "
                + items.size()
                + " items, more than maxIterations "
                + max
                + ": no pass run",
            0);
      }
      return passes(step, scope, items);
    }
    for (int pass = 0; ; pass++) {
      Scope inner = scope.inner(step.id() + "[" + pass + "]", step.as(), (long) pass);
      if (!expressions.holds(step.whileCondition(), variables(inner))) {
        return Done.succeeded(
            Map.of("iterations", pass),
            pass + " pass(es); " + step.whileCondition().strip() + " no longer holds",
            0);
      }
      if (pass >= max) {
        return Done.failed(
            Map.of("iterations", pass),
            step.whileCondition().strip() + " still holds after maxIterations " + max + " passes",
            0);
      }
      Ended e = walk(step.body(), inner);
      if (!e.success()) {
        return Done.failed(Map.of("iterations", pass + 1), "pass " + pass + ": " + e.failure(), 0);
      }
    }
  }

  /** Runs one pass per item, at most {@code concurrency} at once; no new pass after a failure. */
  private Done passes(LoopStep step, Scope scope, List<Object> items) {
    int limit = Math.max(1, step.concurrency());
    List<String> failures = new ArrayList<>();
    List<RuntimeException> thrown = new ArrayList<>();
    int[] inFlight = {0};
    int started = 0;
    CancellationScope mine = CancellationScope.current();
    for (int i = 0; i < items.size(); i++) {
      Workflow.await(
          () ->
              mine.isCancelRequested()
                  || inFlight[0] < limit
                  || !failures.isEmpty()
                  || !thrown.isEmpty());
      if (mine.isCancelRequested() || !failures.isEmpty() || !thrown.isEmpty()) {
        break;
      }
      Scope inner = scope.inner(step.id() + "[" + i + "]", step.as(), items.get(i));
      int pass = i;
      inFlight[0]++;
      started++;
      Async.procedure(
          () -> {
            try {
              Ended e = walk(step.body(), inner);
              if (!e.success()) {
                failures.add("pass " + pass + ": " + e.failure());
              }
            } catch (RuntimeException e) {
              thrown.add(e);
            } finally {
              inFlight[0]--;
            }
          });
    }
    Workflow.await(() -> inFlight[0] == 0);
    if (!thrown.isEmpty()) {
      throw thrown.get(0);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("iterations", started);
    result.put("items", items.size());
    if (!failures.isEmpty()) {
      return Done.failed(result, String.join("; ", failures), 0);
    }
    return Done.succeeded(result, started + " pass(es), one per item", 0);
  }

  // ---- what expressions read ----

  /** Names an expression reads here: the declared variables, input, steps, a pass's item. */
  private Map<String, Object> variables(Scope scope) {
    Map<String, Object> vars = new LinkedHashMap<>();
    for (String name : definition.variables().keySet()) {
      vars.put(name, input.get(name));
    }
    vars.put("input", input);
    vars.put("steps", stepsContext);
    vars.putAll(scope.locals());
    return vars;
  }

  private Map<String, Object> context() {
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("input", input);
    context.put("steps", stepsContext);
    return context;
  }

  // ---- events, pages, the end ----

  private void emit(String type, String stepId, String detail) {
    events.add(
        new RunbookEvent(
            events.size() + 1,
            type,
            definition.id(),
            Workflow.getInfo().getWorkflowId(),
            stepId,
            Workflow.currentTimeMillis(),
            detail));
  }

  /**
   * Delivers every event once, in order, one at a time, so a subscriber sees a step start before it
   * ends. A delivery that fails after its retries is recorded and the next one goes on: a
   * subscriber that is down does not stop the runbook.
   */
  private void deliverInOrder() {
    while (true) {
      Workflow.await(() -> delivered < events.size() || closing);
      if (delivered >= events.size()) {
        return;
      }
      deliver(events.get(delivered));
      delivered++;
    }
  }

  private void deliver(RunbookEvent event) {
    try {
      delivering.deliverEvent(event);
    } catch (ActivityFailure e) {
      if (CancellationScope.current().isCancelRequested()) {
        throw e;
      }
      run.record(
          "deliver " + event.type() + " #" + event.sequence(),
          String.join(",", eventSubscribers),
          false,
          Failures.reason(e));
    }
  }

  /** Waits until every event so far was delivered. */
  private void drainEvents() {
    closing = true;
    if (delivery != null) {
      delivery.get();
    }
  }

  private void end(RunbookPhase phase, String eventType, String detail) {
    ended = phase;
    endedAtMillis = Workflow.currentTimeMillis();
    run.enter(phase.name(), detail);
    emit(eventType, null, detail);
    drainEvents();
    if (!request.dryRun()) {
      RunbookMetrics.ended(
          definition.id(), phase.name().toLowerCase(), endedAtMillis - run.startedAtMillis());
    }
    log.info("Runbook {} ended {}: {}", definition.id(), phase, detail);
  }

  /** A critical runbook pages on start; the page names the run, so a retry adds to it. */
  private void openPage() {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("workflowId", Workflow.getInfo().getWorkflowId());
    details.put("version", definition.version());
    details.put("sha256", request.runbook().sha256());
    try {
      pages.pagerDuty(
          PagerDutyEvent.trigger(
              pageKey(),
              "opsflow runbook " + definition.id() + " (critical) started by " + request.by(),
              "critical",
              definition.id(),
              details));
      pageOpen = true;
      run.record("page", definition.id(), true, "critical runbook: incident opened");
    } catch (ActivityFailure e) {
      // Not paging must not stop the remediation itself; the record says nobody was paged.
      run.record("page", definition.id(), false, Failures.reason(e));
    }
  }

  private void resolvePage() {
    if (!pageOpen) {
      return;
    }
    try {
      pages.pagerDuty(PagerDutyEvent.resolve(pageKey()));
      pageOpen = false;
      run.record("page", definition.id(), true, "runbook succeeded: incident resolved");
    } catch (ActivityFailure e) {
      run.record("page", definition.id(), false, Failures.reason(e));
    }
  }

  private String pageKey() {
    return "runbook/" + Workflow.getInfo().getWorkflowId();
  }

  private void cancelled() {
    run.cancelled(RunbookPhase.CANCELLED.name());
    Workflow.newDetachedCancellationScope(
            () -> {
              ended = RunbookPhase.CANCELLED;
              endedAtMillis = Workflow.currentTimeMillis();
              failure = "cancelled: " + run.cancelledBy();
              emit(RunbookEvent.EXECUTION_FAILED, null, failure);
              // The delivery loop was cancelled with the run: deliver what is left from here.
              if (delivery != null) {
                while (delivered < events.size()) {
                  deliver(events.get(delivered));
                  delivered++;
                }
              }
              if (!request.dryRun()) {
                RunbookMetrics.ended(
                    definition.id(), "cancelled", endedAtMillis - run.startedAtMillis());
              }
            })
        .run();
  }

  private RunbookResult result() {
    String last = history.isEmpty() ? "" : history.get(history.size() - 1).stepId();
    return new RunbookResult(
        definition.id(),
        definition.version(),
        request.runbook().sha256(),
        ended == null ? RunbookPhase.FAILED : ended,
        request.dryRun(),
        last,
        (endedAtMillis == null ? Workflow.currentTimeMillis() : endedAtMillis)
            - run.startedAtMillis(),
        history,
        plan,
        failure);
  }

  private RunbookPhase phase() {
    if (ended != null) {
      return ended;
    }
    return run.waitingFor().isEmpty() ? RunbookPhase.RUNNING : RunbookPhase.WAITING_FOR_HUMAN;
  }

  // ---- small pieces ----

  private Done planned(
      String stepId, Scope scope, String operation, Map<String, Object> parameters, String what) {
    String detail = what + " " + parameters;
    plan.add(new PlannedAction(stepId, scope.path(), operation, parameters, detail));
    return Done.planned(detail);
  }

  private static OperationCall call(
      String operation, Map<String, Object> parameters, ActivityOptions options) {
    return new OperationCall(
        Workflow.randomUUID().toString(),
        operation,
        parameters,
        options.getStartToCloseTimeout().toSeconds());
  }

  private static RunbookOperation operation(RunbookOperation.Kind kind, String name) {
    return RunbookCatalog.find(kind, name)
        .orElseThrow(
            () ->
                ApplicationFailure.newNonRetryableFailure(
                    "no " + kind.name().toLowerCase() + " '" + name + "' in the catalog",
                    "InvalidInput"));
  }

  private static String label(RunbookStep step, Scope scope) {
    return scope.path().isEmpty() ? step.id() : scope.path() + "/" + step.id();
  }

  private static String channelName(NotifyStep.Channel channel) {
    return channel == NotifyStep.Channel.AUDIT_LOG ? "audit-log" : channel.name().toLowerCase();
  }

  private static String type(RunbookStep step) {
    String simple = step.getClass().getSimpleName();
    return simple.substring(0, simple.length() - "Step".length()).toLowerCase();
  }
}
