package dev.opsflow.workflows.remediation;

import dev.opsflow.activities.dispatch.AdmissionRequest;
import dev.opsflow.activities.dispatch.AlertNotice;
import dev.opsflow.activities.dispatch.ApprovalPolicy;
import dev.opsflow.activities.dispatch.DispatchActivities;
import dev.opsflow.activities.dispatch.DispatchOptions;
import dev.opsflow.activities.dispatch.HumanPolicy;
import dev.opsflow.activities.dispatch.RemediationRequest;
import dev.opsflow.activities.notify.SlackPosted;
import dev.opsflow.workflows.human.ActionRecord;
import dev.opsflow.workflows.human.ApprovalGate;
import dev.opsflow.workflows.human.ApprovalRecord;
import dev.opsflow.workflows.human.ApprovalStatus;
import dev.opsflow.workflows.human.Decision;
import dev.opsflow.workflows.human.EscalationLadder;
import dev.opsflow.workflows.human.FailedStep;
import dev.opsflow.workflows.human.HumanTask;
import dev.opsflow.workflows.human.OpsflowSearchAttributes;
import dev.opsflow.workflows.human.Progress;
import dev.opsflow.workflows.human.SlackBlocks;
import dev.opsflow.workflows.remediation.RemediationStatus.Phase;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The steps every remediation shares, so that each procedure's workflow reads as its runbook:
 * confirm -> approve (where required) -> admit -> act -> verify -> cooldown, or escalate. It holds
 * the run's state (phase, actions, notices, decisions) and enforces the rules no procedure may
 * skip: never act after the alert resolved, never act without the governor's admission nor without
 * a required approval, count every action in the metrics, and never act twice inside the cooldown
 * (a recurrence escalates instead).
 *
 * <p>Created as a field of the workflow implementation, because the first notice arrives by signal
 * before the workflow method runs.
 */
public final class RemediationRun {
  private static final Logger log = Workflow.getLogger(RemediationRun.class);

  private final DispatchActivities dispatch =
      Workflow.newActivityStub(DispatchActivities.class, DispatchOptions.SIGNAL);
  private final EscalationLadder ladder = new EscalationLadder();

  private final Set<String> episodes = new LinkedHashSet<>();
  private final List<ActionRecord> actions = new ArrayList<>();
  private final List<ApprovalRecord> decisions = new ArrayList<>();
  private RemediationRequest request;
  private HumanPolicy human = HumanPolicy.DEFAULT;
  private long startedAtMillis;
  private Phase phase = Phase.RECEIVED;
  private String detail = "";
  private boolean resolved;
  private boolean admitted;
  private boolean holdsSlot;
  private long actedAtMillis;
  private boolean recurred;
  private boolean acknowledged;
  private String cancelledBy = "";
  private ApprovalGate gate;
  private FailedStep failedStep;

  /** The workflow method's first line. */
  public void begin(RemediationRequest request) {
    this.request = request;
    this.human = request.policy().human(request.procedure());
    this.startedAtMillis = Workflow.currentTimeMillis();
    noticeFired(request.alert());
    Workflow.upsertTypedSearchAttributes(
        OpsflowSearchAttributes.PROCEDURE.valueSet(request.procedure()),
        OpsflowSearchAttributes.TARGET.valueSet(request.target().key()),
        OpsflowSearchAttributes.SEVERITY.valueSet(request.severity()),
        OpsflowSearchAttributes.PHASE.valueSet(phase.name()));
    log.info(
        "Remediation {} of {} started (severity {}, source {})",
        request.procedure(),
        request.target().key(),
        request.severity(),
        request.alert() == null ? "manual" : request.alert().source());
  }

  public RemediationRequest request() {
    return request;
  }

  // ---- signal, update and query handlers delegate here ----

  public void noticeFired(AlertNotice notice) {
    if (notice == null || !episodes.add(notice.episode())) {
      return; // a resend of an episode already seen (Alertmanager group resends, HA pairs)
    }
    if (actedAtMillis > 0) {
      recurred = true;
    }
  }

  public void noticeResolved(AlertNotice notice) {
    resolved = true;
  }

  public void noticeAdmitted() {
    admitted = true;
  }

  /** The approve/reject Update validator: refuses a decision that would not count now. */
  public void validateDecision(Decision decision) {
    if (gate == null || !gate.pending()) {
      throw new IllegalArgumentException(approvalRefusal(decision));
    }
    gate.validate(decision);
  }

  /** Why an approve/reject would not count now, or null when it would. */
  private String approvalRefusal(Decision decision) {
    if (gate == null || !gate.pending()) {
      return "nothing in "
          + Workflow.getInfo().getWorkflowId()
          + " waits for approval (phase "
          + phase
          + ")";
    }
    return gate.refusal(decision);
  }

  public ApprovalStatus decide(Decision decision, boolean approve) {
    if (gate == null) {
      ignored(decision, approve ? "approve" : "reject", approvalRefusal(decision));
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

  public RemediationStatus status() {
    return new RemediationStatus(
        Workflow.getInfo().getWorkflowId(),
        request == null ? "" : request.procedure(),
        request == null ? "" : request.target().key(),
        request == null ? "" : request.severity(),
        phase,
        detail,
        episodes.size(),
        List.copyOf(actions),
        escalations(),
        waitingFor(),
        allDecisions(),
        cancelledBy);
  }

  public Progress progress() {
    return new Progress(
        request == null ? Workflow.getInfo().getWorkflowType() : request.procedure(),
        request == null ? "" : request.target().key(),
        request == null ? "" : request.severity(),
        phase.name(),
        detail,
        startedAtMillis,
        List.copyOf(actions),
        waitingFor(),
        cancelledBy);
  }

  // ---- the steps ----

  /**
   * Waits the severity's confirmation delay (none for critical), then checks the problem still
   * holds. False when the alert resolved meanwhile or the check says it is gone.
   */
  public boolean confirm(Supplier<Boolean> stillBad) {
    long seconds = request.policy().confirmSeconds(request.severity());
    if (seconds > 0) {
      enter(Phase.CONFIRMING, "waiting " + seconds + "s to confirm the problem holds");
      Workflow.await(Duration.ofSeconds(seconds), () -> resolved);
    }
    if (resolved) {
      return false;
    }
    return stillBad.get();
  }

  /** Asks the blast-radius governor for a slot; false on timeout or when the alert resolved. */
  public boolean admit() {
    enter(Phase.WAITING_FOR_ADMISSION, "waiting for the blast-radius governor");
    long lease = Math.max(600, request.policy().settleSeconds() * 3 + 300);
    dispatch.requestAdmission(
        new AdmissionRequest(
            Workflow.getInfo().getWorkflowId(),
            request.target().namespace(),
            request.severity(),
            lease,
            request.policy().maxInFlight(),
            request.policy().maxInFlightPerNamespace()));
    holdsSlot = true;
    Workflow.await(
        Duration.ofSeconds(request.policy().admissionTimeoutSeconds()), () -> admitted || resolved);
    return admitted && !resolved;
  }

  /**
   * The prologue every remediation shares: confirm the problem still holds, get a human's approval
   * where the procedure's policy asks for one, then get the governor's admission. Approval comes
   * before admission so that a run waiting hours for a human does not hold a governor slot.
   *
   * @param goneReason why nothing is done when the check finds the problem gone
   * @param plan what the procedure will do, in the approver's words
   * @return how to end instead of acting (not needed, rejected, or escalated); empty = go ahead
   */
  public Optional<RemediationOutcome> confirmAndAdmit(
      Supplier<Boolean> stillBad, String goneReason, String plan) {
    if (!confirm(stillBad)) {
      return Optional.of(notNeeded(resolved ? "alert resolved before acting" : goneReason));
    }
    Optional<RemediationOutcome> refused = approval(plan);
    if (refused.isPresent()) {
      return refused;
    }
    if (!admit()) {
      return Optional.of(
          resolved
              ? notNeeded("alert resolved while waiting for admission")
              : escalate("the blast-radius governor did not admit the action in time"));
    }
    return Optional.empty();
  }

  /** Waits for the approval the policy requires for this target, if any. */
  private Optional<RemediationOutcome> approval(String plan) {
    ApprovalPolicy policy = human.approvalFor(request.target().namespace());
    if (policy == null) {
      return Optional.empty();
    }
    gate = new ApprovalGate(plan, request.requestedBy(), policy);
    enter(
        Phase.WAITING_FOR_APPROVAL,
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
            + request.procedure()
            + ", severity "
            + request.severity()
            + ", workflow "
            + Workflow.getInfo().getWorkflowId()
            + "). Approvers: "
            + policy.approvers();
    String id = Workflow.getInfo().getWorkflowId();
    String summary = request.procedure() + " on " + request.target().key() + " needs approval";
    Optional<SlackPosted> message =
        ladder.slack(ask, SlackBlocks.request(gate.task(), id, request.target().key(), summary));
    ApprovalGate.Result result = gate.awaitUnless(() -> resolved);
    String outcome =
        switch (result) {
          case APPROVED -> "Approved by " + gate.decidedBy() + ": " + plan;
          case REJECTED -> "Rejected by " + gate.decidedBy() + ": " + plan;
          case ESCALATE -> "Nobody approved in time: " + plan + " (escalated)";
          case PENDING -> "No longer needed (the alert resolved): " + plan;
        };
    ladder.update(
        message, outcome, SlackBlocks.outcome(id, request.target().key(), summary, outcome));
    return switch (result) {
      case APPROVED -> Optional.empty();
      case REJECTED -> Optional.of(close(Phase.REJECTED, outcome));
      case ESCALATE ->
          Optional.of(
              escalate("nobody approved '" + plan + "' within " + policy.timeoutSeconds() + "s"));
      case PENDING -> Optional.of(notNeeded("alert resolved while waiting for approval"));
    };
  }

  /** True once a resolved notice arrived. */
  public boolean resolved() {
    return resolved;
  }

  /**
   * Runs one action. Success and failure are recorded and counted; a failure (after the activity's
   * own retries) either asks a human (retry or fail) when the procedure's policy says so, or comes
   * back as empty at once, with its message in the status.
   *
   * @param describe turns the activity's result into the line recorded in the status
   */
  public <T> Optional<T> act(
      String action, String target, Supplier<T> call, Function<T, String> describe) {
    return attempt(action, target, call, describe, Optional.empty());
  }

  /**
   * Like {@link #act}, for a step a human may also skip: a skipped step returns {@code
   * whenSkipped}, and the procedure carries on.
   */
  public <T> Optional<T> actOrSkip(
      String action, String target, Supplier<T> call, Function<T, String> describe, T whenSkipped) {
    return attempt(action, target, call, describe, Optional.of(whenSkipped));
  }

  private <T> Optional<T> attempt(
      String action,
      String target,
      Supplier<T> call,
      Function<T, String> describe,
      Optional<T> whenSkipped) {
    while (true) {
      enter(Phase.ACTING, action + " on " + target);
      actedAtMillis = Workflow.currentTimeMillis();
      try {
        T result = call.get();
        record(action, target, true, describe.apply(result));
        ladder.resolve("a retried " + action + " succeeded");
        return Optional.of(result);
      } catch (ActivityFailure e) {
        String error = EscalationLadder.reason(e);
        record(action, target, false, error);
        if (!human.askOnFailure()) {
          return Optional.empty();
        }
        FailedStep.Answer answer = ask(action + " on " + target, error, whenSkipped.isPresent());
        if (answer == FailedStep.Answer.SKIP) {
          record(action, target, true, "skipped by " + failedStepAnsweredBy);
          return whenSkipped;
        }
        if (answer != FailedStep.Answer.RETRY) {
          return Optional.empty();
        }
      }
    }
  }

  private String failedStepAnsweredBy = "";

  /**
   * Asks a human what to do with a failed step: the team hears at once and on-call after the
   * ladder's delay, until someone answers or the decision timeout fails the step.
   */
  private FailedStep.Answer ask(String step, String error, boolean skippable) {
    failedStep = new FailedStep(step, error, skippable, human.decisionTimeoutSeconds());
    enter(
        Phase.WAITING_FOR_DECISION,
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
            + Workflow.getInfo().getWorkflowId();
    Promise<Optional<SlackPosted>> told =
        Async.function(
            () ->
                ladder.climb(
                    human.escalation(),
                    new EscalationLadder.Message(
                        text,
                        SlackBlocks.request(
                            question.task(), id, request.target().key(), step + " failed"),
                        pagerDutySeverity(),
                        details()),
                    () -> question.answered() || acknowledged || resolved));
    FailedStep.Answer answer = question.await();
    Optional<SlackPosted> posted = told.get();
    failedStepAnsweredBy = question.answeredBy();
    String answered =
        step + ": " + answer.name().toLowerCase() + " (answered by " + question.answeredBy() + ")";
    ladder.update(
        posted,
        answered,
        SlackBlocks.outcome(id, request.target().key(), step + " failed", answered));
    failedStep = null;
    return answer;
  }

  /** Lets the change settle, then checks it worked. A failed check counts as not fixed. */
  public boolean verify(Supplier<Boolean> fixed) {
    enter(Phase.SETTLING, "waiting " + request.policy().settleSeconds() + "s before verifying");
    Workflow.sleep(Duration.ofSeconds(request.policy().settleSeconds()));
    enter(Phase.VERIFYING, "checking the problem is gone");
    boolean ok;
    try {
      ok = fixed.get();
    } catch (ActivityFailure e) {
      detail = "verification could not read the state: " + EscalationLadder.reason(e);
      ok = false;
    }
    release();
    return ok;
  }

  /** Gives the governor's slot back, even when the workflow is being cancelled. */
  public void release() {
    if (!holdsSlot) {
      return;
    }
    holdsSlot = false;
    Workflow.newDetachedCancellationScope(
            () -> dispatch.releaseAdmission(Workflow.getInfo().getWorkflowId()))
        .run();
  }

  /** Fixed and verified: counts the latency, closes any page, then holds the cooldown. */
  public RemediationOutcome fixed(String summary) {
    HealingMetrics.fixed(
        request.procedure(), Duration.ofMillis(Workflow.currentTimeMillis() - startedAtMillis));
    ladder.resolve("fixed: " + summary);
    log.info(
        "Remediation {} of {} fixed: {}", request.procedure(), request.target().key(), summary);
    if (cooldown()) {
      return escalate(
          "the problem came back within the cooldown after it was fixed (" + summary + ")");
    }
    return close(Phase.FIXED, summary);
  }

  /** Nothing was done: the problem was gone before acting. */
  public RemediationOutcome notNeeded(String why) {
    release();
    return close(Phase.NOT_NEEDED, why);
  }

  /**
   * Hands over to a human along the procedure's escalation ladder (by default Slack at once, then
   * PagerDuty with the workflow ID as dedup key); a rung is skipped once the alert resolved or a
   * human acknowledged. Then holds the cooldown so the automaton does not try again meanwhile; an
   * alert that resolves meanwhile resolves the page.
   */
  public RemediationOutcome escalate(String reason) {
    release();
    enter(Phase.ESCALATING, reason);
    String id = Workflow.getInfo().getWorkflowId();
    String text =
        "opsflow could not fix "
            + request.procedure()
            + " on "
            + request.target().key()
            + ": "
            + reason
            + " (workflow "
            + id
            + ")";
    ladder.climb(
        human.escalation(),
        new EscalationLadder.Message(text, null, pagerDutySeverity(), details()),
        () -> resolved || acknowledged);
    log.warn("Remediation {} escalated: {} [{}]", id, reason, String.join("; ", escalations()));
    if (actedAtMillis > 0) {
      cooldown();
    }
    if (resolved) {
      ladder.resolve("the alert resolved");
    }
    return close(Phase.ESCALATED, reason);
  }

  /**
   * The run was cancelled (Web UI, tctl, the CLI, the REST API): record who cancelled it (the
   * cancel request's reason, where the caller gave one), then clean up in a detached scope so the
   * cleanup itself is not cancelled: give the governor slot back, close the open approval message
   * and page, tell the channel if anyone had been told or anything had been done.
   */
  public void cancelled() {
    String reason = CancellationScope.current().getCancellationReason();
    cancelledBy =
        reason == null || reason.isBlank() ? "unknown (the cancel request gave no reason)" : reason;
    Workflow.newDetachedCancellationScope(
            () -> {
              release();
              boolean told = !ladder.record().isEmpty();
              ladder.resolve("run cancelled");
              if (told || !actions.isEmpty()) {
                ladder.slack(
                    "opsflow run "
                        + Workflow.getInfo().getWorkflowId()
                        + " was cancelled ("
                        + cancelledBy
                        + ") in phase "
                        + phase
                        + " after "
                        + actions.size()
                        + " action(s)",
                    null);
              }
              close(Phase.CANCELLED, "cancelled: " + cancelledBy);
            })
        .run();
    log.warn("Remediation {} cancelled: {}", Workflow.getInfo().getWorkflowId(), cancelledBy);
  }

  /** Holds until the cooldown since the action ends; true if the problem recurred meanwhile. */
  private boolean cooldown() {
    long remaining =
        actedAtMillis
            + request.policy().actionCooldownSeconds() * 1000
            - Workflow.currentTimeMillis();
    enter(Phase.COOLDOWN, "no new action on this problem until the cooldown ends");
    if (remaining > 0) {
      Workflow.await(Duration.ofMillis(remaining), () -> recurred);
    }
    return recurred;
  }

  private RemediationOutcome close(Phase end, String why) {
    enter(end, why);
    return new RemediationOutcome(end, why, List.copyOf(actions), escalations());
  }

  private void enter(Phase next, String why) {
    if (next != phase) {
      Workflow.upsertTypedSearchAttributes(OpsflowSearchAttributes.PHASE.valueSet(next.name()));
    }
    phase = next;
    detail = why;
  }

  private void record(String action, String target, boolean success, String what) {
    actions.add(new ActionRecord(action, target, Workflow.currentTimeMillis(), success, what));
    HealingMetrics.action(action, success);
    log.info("Action {} on {}: {} ({})", action, target, success ? "succeeded" : "FAILED", what);
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

  private List<String> escalations() {
    return ladder.record();
  }

  private List<HumanTask> waitingFor() {
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
  private List<ApprovalRecord> allDecisions() {
    List<ApprovalRecord> all = new ArrayList<>();
    if (gate != null) {
      all.addAll(gate.status().decisions());
    }
    all.addAll(decisions);
    return all;
  }

  private Map<String, Object> details() {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("workflowId", Workflow.getInfo().getWorkflowId());
    details.put("target", request.target().key());
    details.put("actions", actions.stream().map(a -> a.action() + ": " + a.detail()).toList());
    return details;
  }

  private String pagerDutySeverity() {
    return switch (request.severity()) {
      case "critical" -> "critical";
      case "high" -> "error";
      case "medium" -> "warning";
      default -> "info";
    };
  }
}
