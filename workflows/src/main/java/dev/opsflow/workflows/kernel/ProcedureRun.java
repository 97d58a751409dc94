package dev.opsflow.workflows.kernel;

import dev.opsflow.activities.notify.SlackPosted;
import dev.opsflow.contracts.human.ActionRecord;
import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.ApprovalRecord;
import dev.opsflow.contracts.human.ApprovalResult;
import dev.opsflow.contracts.human.ApprovalStatus;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.HumanPolicy;
import dev.opsflow.contracts.human.HumanTask;
import dev.opsflow.contracts.human.OpsflowSearchAttributes;
import dev.opsflow.contracts.human.Progress;
import dev.opsflow.contracts.human.Refusal;
import dev.opsflow.contracts.run.CarriedRun;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.workflows.human.ApprovalGate;
import dev.opsflow.workflows.human.EscalationLadder;
import dev.opsflow.workflows.human.FailedStep;
import dev.opsflow.workflows.human.SlackBlocks;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The kernel every procedure family stands on (remediation, failover, rollout, runbooks): one run's
 * identity and phase (mirrored in search attributes), the record of its steps, the human loop
 * (approval gate, failed-step questions, acknowledgement, every decision recorded), the escalation
 * ladder, the compensation saga and the governor lease. A family adds its own rules on top (for
 * remediations: episodes, cooldown, resolved-never-acts) and writes its procedure as a sequence of
 * {@link #step} calls.
 *
 * <p>Created as a field of the workflow implementation, because signals may arrive before the
 * workflow method runs.
 */
public final class ProcedureRun {
  private static final Logger log = Workflow.getLogger(ProcedureRun.class);

  /**
   * What the family shows in progress and messages: the procedure, its target (as a key) and the
   * run envelope every family's input carries (severity, notification, requester).
   */
  public record Identity(String procedure, String target, RunEnvelope run) {
    public String severity() {
      return run.severity() == null ? "" : run.severity();
    }

    public String requestedBy() {
      return run.requestedBy();
    }
  }

  /** Told of each recorded step (e.g. to count it in the family's metrics). */
  public interface StepListener {
    void recorded(String step, String target, boolean success);
  }

  private final EscalationLadder ladder = new EscalationLadder();
  private final Compensation compensation = new Compensation();
  private final GovernorLease lease = new GovernorLease();
  private final List<ActionRecord> steps = new ArrayList<>();
  private final List<ApprovalRecord> decisions = new ArrayList<>();
  private final StepListener listener;
  private Identity identity = new Identity("", "", new RunEnvelope("", null, null, null));
  private HumanPolicy human = HumanPolicy.DEFAULT;
  private long startedAtMillis;
  private String phase;
  private String detail = "";
  private String cancelledBy = "";
  private String failure = "";
  private boolean acknowledged;
  private ApprovalGate gate;
  private FailedStep failedStep;
  private String failedStepAnsweredBy = "";
  private Runnable onActing = () -> {};
  private Optional<SlackPosted> approvalMessage = Optional.empty();
  private String resumeAt = "";
  private BooleanSupplier handOverDue = () -> false;
  private Consumer<String> handOver =
      point -> {
        throw new IllegalStateException("no run to continue as new at " + point);
      };

  public ProcedureRun(String initialPhase, StepListener listener) {
    this.phase = initialPhase;
    this.listener = listener;
  }

  /** The workflow method's first line: who, what, how urgent, under which human policy. */
  public void begin(Identity identity, HumanPolicy human) {
    this.identity = identity;
    this.human = human == null ? HumanPolicy.DEFAULT : human;
    this.startedAtMillis = Workflow.currentTimeMillis();
    Workflow.upsertTypedSearchAttributes(
        OpsflowSearchAttributes.PROCEDURE.valueSet(identity.procedure()),
        OpsflowSearchAttributes.TARGET.valueSet(bounded(identity.target())),
        OpsflowSearchAttributes.SEVERITY.valueSet(identity.severity()),
        OpsflowSearchAttributes.PHASE.valueSet(phase));
  }

  /**
   * The first line of a run that continues an earlier one as new (its history had grown past the
   * bound): everything that run knew, so this one resumes its wait ({@link CarriedRun#resumeAt()})
   * and repeats nothing done before it.
   */
  public void resume(Identity identity, HumanPolicy human, CarriedRun carried) {
    this.identity = identity;
    this.human = human == null ? HumanPolicy.DEFAULT : human;
    this.startedAtMillis = carried.startedAtMillis();
    this.phase = carried.phase();
    this.detail = carried.detail();
    this.cancelledBy = carried.cancelledBy();
    this.acknowledged = carried.acknowledged();
    this.resumeAt = carried.resumeAt();
    steps.addAll(carried.steps());
    decisions.addAll(carried.decisions());
    ladder.resume(carried.ladder(), carried.incidentOpen());
    lease.resume(carried.leaseHeld(), carried.leaseAdmitted(), carried.admissionDeadlineMillis());
    if (carried.gate() != null) {
      gate = ApprovalGate.resumed(carried.gate());
      approvalMessage =
          carried.gate().slackTs() == null
              ? Optional.empty()
              : Optional.of(
                  new SlackPosted(carried.gate().slackChannel(), carried.gate().slackTs(), false));
    }
    Workflow.upsertTypedSearchAttributes(
        OpsflowSearchAttributes.PROCEDURE.valueSet(identity.procedure()),
        OpsflowSearchAttributes.TARGET.valueSet(bounded(identity.target())),
        OpsflowSearchAttributes.SEVERITY.valueSet(identity.severity()),
        OpsflowSearchAttributes.PHASE.valueSet(phase));
  }

  /**
   * Bounds the run's history: the kernel's long waits call {@code handOver} with where they stand
   * once {@code due} holds, and the family continues the run as new from there (it does not
   * return). Runs that never call this (histories from before the bound) never hand over.
   */
  public void boundHistory(BooleanSupplier due, Consumer<String> handOver) {
    this.handOverDue = due;
    this.handOver = handOver;
  }

  /** True while the history is past its bound (see {@link #boundHistory}). */
  public boolean handOverDue() {
    return handOverDue.getAsBoolean();
  }

  /** Continues the run as new, resuming at {@code point}; does not return. */
  public void handOver(String point) {
    handOver.accept(point);
  }

  /** The wait this run resumes (see {@link CarriedRun#resumeAt()}); empty for a first run. */
  public String resumeAt() {
    return resumeAt;
  }

  /**
   * True (once) when this run resumes the wait {@code point}: the caller skips what came before.
   */
  public boolean resumes(String point) {
    if (!resumeAt.equals(point)) {
      return false;
    }
    resumeAt = "";
    return true;
  }

  /** Everything the next run of the chain needs to resume at {@code point}. */
  public CarriedRun carry(String point, int continued) {
    return new CarriedRun(
        point,
        phase,
        detail,
        startedAtMillis,
        steps,
        decisions,
        ladder.record(),
        ladder.incidentOpen(),
        acknowledged,
        cancelledBy,
        gate == null
            ? null
            : gate.carried(
                approvalMessage.map(SlackPosted::channel).orElse(null),
                approvalMessage.map(SlackPosted::ts).orElse(null)),
        lease.held(),
        lease.isAdmitted(),
        lease.deadlineMillis(),
        continued);
  }

  /** Search attribute values are bounded: Keyword attributes are meant for short strings. */
  static final int MAX_ATTRIBUTE = 255;

  private static String bounded(String value) {
    return value.length() <= MAX_ATTRIBUTE ? value : value.substring(0, MAX_ATTRIBUTE - 1) + "~";
  }

  public HumanPolicy human() {
    return human;
  }

  public long startedAtMillis() {
    return startedAtMillis;
  }

  public EscalationLadder ladder() {
    return ladder;
  }

  public Compensation compensation() {
    return compensation;
  }

  public GovernorLease lease() {
    return lease;
  }

  public String phase() {
    return phase;
  }

  public String detail() {
    return detail;
  }

  public String cancelledBy() {
    return cancelledBy;
  }

  /** Why the run failed, when it did (empty otherwise). */
  public String failure() {
    return failure;
  }

  /** Moves to a phase, mirrored in the {@code OpsflowPhase} search attribute. */
  public void enter(String next, String why) {
    if (!next.equals(phase)) {
      Workflow.upsertTypedSearchAttributes(OpsflowSearchAttributes.PHASE.valueSet(next));
    }
    phase = next;
    detail = why;
  }

  // ---- steps ----

  /**
   * Runs one step that changes the world. Success and failure are recorded; a failure (after the
   * activity's own retries) asks a human (retry or fail, and skip when {@code whenSkipped} is
   * given) when the human policy says so, or comes back empty at once.
   *
   * @param actingPhase the phase shown while the step runs
   * @param settled stops the escalation ladder of a failed-step question (e.g. the alert resolved)
   * @param describe turns the activity's result into the line recorded
   */
  public <T> Optional<T> step(
      String actingPhase,
      String waitingPhase,
      String name,
      String target,
      Supplier<T> call,
      Function<T, String> describe,
      Optional<T> whenSkipped,
      BooleanSupplier settled) {
    while (true) {
      enter(actingPhase, name + " on " + target);
      onActing.run();
      try {
        T result = call.get();
        record(name, target, true, describe.apply(result));
        ladder.resolve("a retried " + name + " succeeded");
        return Optional.of(result);
      } catch (ActivityFailure e) {
        String error = EscalationLadder.reason(e);
        record(name, target, false, error);
        if (!human.askOnFailure()) {
          return Optional.empty();
        }
        FailedStep.Answer answer =
            ask(waitingPhase, name + " on " + target, error, whenSkipped.isPresent(), settled);
        if (answer == FailedStep.Answer.SKIP) {
          record(name, target, true, "skipped by " + failedStepAnsweredBy);
          return whenSkipped;
        }
        if (answer != FailedStep.Answer.RETRY) {
          return Optional.empty();
        }
      }
    }
  }

  /** Called each time a step is about to act (remediations stamp their action time here). */
  public void onActing(Runnable hook) {
    this.onActing = hook;
  }

  /** Records a step's outcome (also used for steps that are not activity calls). */
  public void record(String name, String target, boolean success, String what) {
    steps.add(new ActionRecord(name, target, Workflow.currentTimeMillis(), success, what));
    listener.recorded(name, target, success);
    log.info("Step {} on {}: {} ({})", name, target, success ? "succeeded" : "FAILED", what);
  }

  public List<ActionRecord> steps() {
    return List.copyOf(steps);
  }

  /**
   * Asks a human what to do with a failed step: the team hears at once and on-call after the
   * ladder's delay, until someone answers or the decision timeout fails the step.
   */
  private FailedStep.Answer ask(
      String waitingPhase, String step, String error, boolean skippable, BooleanSupplier settled) {
    failedStep = new FailedStep(step, error, skippable, human.decisionTimeoutSeconds());
    enter(
        waitingPhase,
        step
            + " failed after its retries ("
            + error
            + "); waiting for a human: "
            + String.join(", ", failedStep.task().choices()));
    FailedStep question = failedStep;
    String id = Workflow.getInfo().getWorkflowId();
    String text =
        "opsflow: "
            + step
            + " failed after its retries: "
            + error
            + ". Answer "
            + String.join(" / ", question.task().choices())
            + " on workflow "
            + id;
    Promise<Optional<SlackPosted>> told =
        Async.function(
            () ->
                ladder.climb(
                    human.escalation(),
                    new EscalationLadder.Message(
                        text,
                        SlackBlocks.request(
                            question.task(), id, identity.target(), step + " failed"),
                        pagerDutySeverity(),
                        details()),
                    () -> question.answered() || acknowledged || settled.getAsBoolean()));
    FailedStep.Answer answer = question.await();
    Optional<SlackPosted> posted = told.get();
    failedStepAnsweredBy = question.answeredBy();
    String answered =
        step + ": " + answer.name().toLowerCase() + " (answered by " + question.answeredBy() + ")";
    ladder.update(
        posted, answered, SlackBlocks.outcome(id, identity.target(), step + " failed", answered));
    failedStep = null;
    return answer;
  }

  // ---- the human loop ----

  /**
   * Waits for the approval {@code policy} asks for before {@code plan}, telling the approvers on
   * Slack and replacing the message with the outcome.
   *
   * @param moot gives up waiting (returns PENDING), e.g. when the problem went away
   */
  public ApprovalResult approval(
      String waitingPhase, String plan, ApprovalPolicy policy, BooleanSupplier moot) {
    String id = Workflow.getInfo().getWorkflowId();
    String summary = identity.procedure() + " on " + identity.target() + " needs approval";
    // A run continued as new while waiting resumes the same gate: nobody is asked twice.
    boolean resumed = gate != null && resumes(CarriedRun.APPROVAL);
    if (!resumed) {
      askApproval(waitingPhase, plan, policy, id, summary);
    }
    BooleanSupplier handingOver = () -> !moot.getAsBoolean() && handOverDue.getAsBoolean();
    ApprovalResult result =
        RunMetrics.awaited(
            identity.procedure(),
            gate,
            !resumed,
            () -> gate.awaitUnless(() -> moot.getAsBoolean() || handOverDue.getAsBoolean()),
            handingOver);
    if (result == ApprovalResult.PENDING && handingOver.getAsBoolean()) {
      handOver(CarriedRun.APPROVAL);
    }
    String outcome = approvalOutcome(result, plan);
    ladder.update(
        approvalMessage, outcome, SlackBlocks.outcome(id, identity.target(), summary, outcome));
    return result;
  }

  /** Opens the gate and tells the approvers on Slack. */
  private void askApproval(
      String waitingPhase, String plan, ApprovalPolicy policy, String id, String summary) {
    gate = new ApprovalGate(plan, identity.requestedBy(), policy);
    enter(
        waitingPhase,
        plan
            + ": waiting for "
            + policy.required()
            + " of "
            + policy.approvers()
            + " to approve (timeout "
            + policy.timeoutSeconds()
            + "s, then "
            + policy.onTimeout()
            + ")");
    String ask =
        "opsflow asks for approval: "
            + plan
            + " ("
            + identity.procedure()
            + ", severity "
            + identity.severity()
            + ", workflow "
            + Workflow.getInfo().getWorkflowId()
            + "). Approvers: "
            + policy.approvers();
    approvalMessage =
        ladder.slack(ask, SlackBlocks.request(gate.task(), id, identity.target(), summary));
  }

  /** The sentence recorded for an approval's result. */
  public String approvalOutcome(ApprovalResult result, String plan) {
    return switch (result) {
      case APPROVED -> "Approved by " + gate.decidedBy() + ": " + plan;
      case REJECTED -> "Rejected by " + gate.decidedBy() + ": " + plan;
      case ESCALATE -> "Nobody approved in time: " + plan + " (escalated)";
      case PENDING -> "No longer needed (the alert resolved): " + plan;
    };
  }

  /** The approve/reject Update validator: refuses, typed, a decision that would not count now. */
  public void validateDecision(Decision decision) {
    if (gate == null || !gate.pending()) {
      throw new Refusal(Refusal.NOTHING_PENDING, nothingWaits()).failure();
    }
    gate.validate(decision);
  }

  private String nothingWaits() {
    return "nothing in "
        + Workflow.getInfo().getWorkflowId()
        + " waits for approval (phase "
        + phase
        + ")";
  }

  public ApprovalStatus decide(Decision decision, boolean approve) {
    if (gate == null) {
      ignored(decision, approve ? "approve" : "reject", nothingWaits());
      return null;
    }
    if (approve) {
      gate.approve(decision);
    } else {
      gate.reject(decision);
    }
    return gate.status();
  }

  /** Retry, skip or fail a step that failed after its retries (signals; wrong ones recorded). */
  public void answerFailedStep(FailedStep.Answer answer, Decision decision) {
    if (failedStep == null) {
      ignored(decision, answer.name().toLowerCase(), "no failed step waits for an answer");
      return;
    }
    ApprovalRecord record = failedStep.answer(answer, decision);
    decisions.add(record);
    if (!record.ignoredBecause().isEmpty()) {
      log.warn("Ignored {}: {}", record.comment(), record.ignoredBecause());
    }
  }

  public void acknowledge(Decision decision) {
    if (decision == null || decision.by() == null || decision.by().isBlank()) {
      ignored(decision, "acknowledge", "'by' is required: who takes the problem");
      return;
    }
    acknowledged = true;
    decisions.add(
        new ApprovalRecord(
            decision.by(),
            true,
            "acknowledged" + (decision.comment() == null ? "" : ": " + decision.comment()),
            Workflow.currentTimeMillis(),
            ""));
  }

  private void ignored(Decision decision, String what, String why) {
    decisions.add(
        new ApprovalRecord(
            decision == null || decision.by() == null ? "" : decision.by(),
            false,
            what,
            Workflow.currentTimeMillis(),
            why));
    log.warn("Ignored {}: {}", what, why);
  }

  /** What waits for a human now. */
  public List<HumanTask> waitingFor() {
    List<HumanTask> tasks = new ArrayList<>();
    if (gate != null && gate.pending()) {
      tasks.add(gate.task());
    }
    if (failedStep != null && !failedStep.answered()) {
      tasks.add(failedStep.task());
    }
    return tasks;
  }

  /** Every decision received, counted or not: the gate's, then the run's own. */
  public List<ApprovalRecord> decisions() {
    List<ApprovalRecord> all = new ArrayList<>();
    if (gate != null) {
      all.addAll(gate.status().decisions());
    }
    all.addAll(decisions);
    return all;
  }

  // ---- telling humans, and the ways a run ends badly ----

  /** Climbs the ladder with {@code text} until {@code settled}; the record says who heard. */
  public void tellHumans(String text, BooleanSupplier settled) {
    ladder.climb(
        human.escalation(),
        new EscalationLadder.Message(text, null, pagerDutySeverity(), details()),
        () -> settled.getAsBoolean() || acknowledged);
  }

  /**
   * The run was cancelled (Web UI, tctl, the CLI, the REST API): record who cancelled it (the
   * cancel request's reason, where the caller gave one), then clean up in a detached scope so the
   * cleanup itself is not cancelled: undo what the saga holds, give the governor slot back,
   * withdraw an open approval, close the open page, and tell the channel if anyone had been told or
   * anything had been done.
   */
  public void cancelled(String cancelledPhase) {
    String reason = CancellationScope.current().getCancellationReason();
    cancelledBy =
        reason == null || reason.isBlank() ? "unknown (the cancel request gave no reason)" : reason;
    if (gate != null) {
      gate.withdraw("the run was cancelled: " + cancelledBy);
    }
    Workflow.newDetachedCancellationScope(
            () -> {
              compensation.run("cancelled");
              lease.release();
              boolean told = !ladder.record().isEmpty();
              ladder.resolve("run cancelled");
              if (told || !steps.isEmpty()) {
                ladder.slack(
                    "opsflow run "
                        + Workflow.getInfo().getWorkflowId()
                        + " was cancelled ("
                        + cancelledBy
                        + ") in phase "
                        + phase
                        + " after "
                        + steps.size()
                        + " step(s)",
                    null);
              }
              enter(cancelledPhase, "cancelled: " + cancelledBy);
            })
        .run();
    log.warn("Run {} cancelled: {}", Workflow.getInfo().getWorkflowId(), cancelledBy);
  }

  /**
   * Something the procedure did not expect (a read that threw after a long wait, an unparsable
   * value, a bug): instead of a workflow task retrying forever while nobody hears, undo what the
   * saga holds, give the slot back, withdraw an open approval and tell humans why, in a detached
   * scope. The caller then ends the run with a clear outcome.
   *
   * @return the reason, as humans were told it
   */
  public String failed(Throwable e) {
    return failed(e, null);
  }

  /**
   * As {@link #failed(Throwable)}, but the run first moves to {@code failedPhase} (the search
   * attribute too): the escalation may wait long for an acknowledgement, and meanwhile the run must
   * not look as if it were still where it failed. The message still names the phase it failed in.
   *
   * @return the reason, as humans were told it
   */
  public String failed(Throwable e, String failedPhase) {
    failure = Failures.reason(e);
    RunMetrics.failed(identity.procedure(), phase);
    if (gate != null) {
      gate.withdraw("the run failed: " + failure);
    }
    String text =
        "opsflow run "
            + Workflow.getInfo().getWorkflowId()
            + " ("
            + identity.procedure()
            + " on "
            + identity.target()
            + ") failed in phase "
            + phase
            + ": "
            + failure
            + " after "
            + steps.size()
            + " step(s); a human must take over";
    log.error("Run {} failed in phase {}: {}", Workflow.getInfo().getWorkflowId(), phase, failure);
    if (failedPhase != null) {
      // The progress query appends the reason to this detail.
      enter(failedPhase, "failed in phase " + phase + "; telling humans");
    }
    Workflow.newDetachedCancellationScope(
            () -> {
              compensation.run("failed: " + failure);
              lease.release();
              tellHumans(text, () -> false);
            })
        .run();
    return failure;
  }

  /** The answer of the {@code progress} query. */
  public Progress progress() {
    return new Progress(
        identity.procedure().isEmpty()
            ? Workflow.getInfo().getWorkflowType()
            : identity.procedure(),
        identity.target(),
        identity.severity(),
        phase,
        failure.isEmpty() ? detail : detail + " (failed: " + failure + ")",
        startedAtMillis,
        steps(),
        waitingFor(),
        cancelledBy);
  }

  private Map<String, Object> details() {
    Map<String, Object> details = new java.util.LinkedHashMap<>();
    details.put("workflowId", Workflow.getInfo().getWorkflowId());
    details.put("target", identity.target());
    details.put("actions", steps.stream().map(a -> a.action() + ": " + a.detail()).toList());
    return details;
  }

  private String pagerDutySeverity() {
    return switch (identity.severity()) {
      case "critical" -> "critical";
      case "high" -> "error";
      case "medium" -> "warning";
      default -> "info";
    };
  }
}
