package dev.opsflow.workflows.human;

import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.ApprovalRecord;
import dev.opsflow.contracts.human.ApprovalResult;
import dev.opsflow.contracts.human.ApprovalStatus;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.Refusal;
import dev.opsflow.contracts.run.CarriedRun;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A durable wait for human approval, the one piece every procedure that needs a human uses. It
 * checks authorisation inside the workflow: only listed approvers count, the requester cannot
 * approve their own request under four-eyes, N approvals are needed, one rejection rejects. A
 * decision that does not count is recorded (with the reason) and ignored, never silently accepted.
 * Workflows expose {@link #validate} as an Update validator so a wrong caller gets the error back
 * synchronously, and also accept plain signals (tctl, the Web UI), which are checked here.
 */
public final class ApprovalGate {
  /** How a gate ended (or PENDING while it waits). */
  private final String action;

  private final String requestedBy;
  private final ApprovalPolicy policy;
  private final long sinceMillis;
  private final List<ApprovalRecord> decisions = new ArrayList<>();
  private final Set<String> approvedBy = new LinkedHashSet<>();
  private ApprovalResult state = ApprovalResult.PENDING;
  private boolean withdrawn;
  private String withdrawnBecause = "";

  /** Opens the gate now (workflow time). */
  public ApprovalGate(String action, String requestedBy, ApprovalPolicy policy) {
    this(action, requestedBy, policy, Workflow.currentTimeMillis());
  }

  private ApprovalGate(String action, String requestedBy, ApprovalPolicy policy, long sinceMillis) {
    this.action = action;
    this.requestedBy = requestedBy == null ? "" : requestedBy;
    this.policy = policy;
    this.sinceMillis = sinceMillis;
  }

  /**
   * The gate as an earlier run of the chain left it (continued as new): same question, same
   * deadline, the decisions and approvals it had already received.
   */
  public static ApprovalGate resumed(CarriedRun.Gate carried) {
    ApprovalGate gate =
        new ApprovalGate(
            carried.action(), carried.requestedBy(), carried.policy(), carried.sinceMillis());
    gate.decisions.addAll(carried.decisions());
    gate.approvedBy.addAll(carried.approvedBy());
    gate.state = carried.state();
    gate.withdrawn = carried.withdrawn();
    gate.withdrawnBecause = carried.withdrawnBecause();
    return gate;
  }

  /**
   * The gate as the next run of the chain resumes it, with where its Slack message is (or null).
   */
  public CarriedRun.Gate carried(String slackChannel, String slackTs) {
    return new CarriedRun.Gate(
        action,
        requestedBy,
        policy,
        sinceMillis,
        decisions,
        List.copyOf(approvedBy),
        state,
        withdrawn,
        withdrawnBecause,
        slackChannel,
        slackTs);
  }

  /**
   * Update validators call this: it throws a typed {@link Refusal} when the decision would not
   * count, so the caller gets the reason back at once.
   */
  public void validate(Decision decision) {
    Refusal refusal = refusalOf(decision);
    if (refusal != null) {
      throw refusal.failure();
    }
  }

  /** Why this decision would not count, or null when it would. */
  public String refusal(Decision decision) {
    Refusal refusal = refusalOf(decision);
    return refusal == null ? null : refusal.message();
  }

  /** Why this decision would not count, typed, or null when it would. */
  public Refusal refusalOf(Decision decision) {
    if (withdrawn) {
      return new Refusal(Refusal.NOTHING_PENDING, "the request was withdrawn: " + withdrawnBecause);
    }
    if (state != ApprovalResult.PENDING) {
      return new Refusal(
          Refusal.ALREADY_DECIDED, "the request is already " + state.name().toLowerCase());
    }
    if (decision == null || decision.by() == null || decision.by().isBlank()) {
      return new Refusal(Refusal.WHO_REQUIRED, "'by' is required: who decides");
    }
    if (!policy.approvers().contains(decision.by())) {
      return new Refusal(
          Refusal.NOT_AN_APPROVER,
          decision.by() + " is not an approver (approvers: " + policy.approvers() + ")");
    }
    if (policy.fourEyes() && decision.by().equals(requestedBy)) {
      return new Refusal(
          Refusal.FOUR_EYES, decision.by() + " requested this and cannot decide on it (four-eyes)");
    }
    return null;
  }

  /**
   * The run no longer waits (cancelled, failed, the problem went away): the gate stops counting as
   * pending, so the inbox and the progress query no longer list it.
   */
  public void withdraw(String why) {
    if (state == ApprovalResult.PENDING) {
      withdrawn = true;
      withdrawnBecause = why;
    }
  }

  public void approve(Decision decision) {
    String refusal = refusal(decision);
    record(decision, true, refusal);
    if (refusal == null
        && approvedBy.add(decision.by())
        && approvedBy.size() >= policy.required()) {
      state = ApprovalResult.APPROVED;
    }
  }

  public void reject(Decision decision) {
    String refusal = refusal(decision);
    record(decision, false, refusal);
    if (refusal == null) {
      state = ApprovalResult.REJECTED;
    }
  }

  /** Waits (durably) for the decision or the timeout, then applies the timeout policy. */
  public ApprovalResult await() {
    return awaitUnless(() -> false);
  }

  /**
   * Like {@link #await()}, but gives up early (returning {@code PENDING}) once {@code moot} holds,
   * e.g. when the problem that asked for approval went away meanwhile.
   */
  public ApprovalResult awaitUnless(java.util.function.Supplier<Boolean> moot) {
    long remaining = sinceMillis + policy.timeoutSeconds() * 1000 - Workflow.currentTimeMillis();
    boolean decided =
        Workflow.await(
            Duration.ofMillis(Math.max(0, remaining)),
            () -> state != ApprovalResult.PENDING || moot.get());
    if (state == ApprovalResult.PENDING && moot.get()) {
      return state;
    }
    if (!decided) {
      state =
          switch (policy.onTimeout()) {
            case ApprovalPolicy.APPROVE -> ApprovalResult.APPROVED;
            case ApprovalPolicy.REJECT -> ApprovalResult.REJECTED;
            default -> ApprovalResult.ESCALATE;
          };
      decisions.add(
          new ApprovalRecord(
              "timeout",
              state == ApprovalResult.APPROVED,
              "no decision within " + policy.timeoutSeconds() + "s: " + policy.onTimeout(),
              Workflow.currentTimeMillis(),
              ""));
    }
    return state;
  }

  public boolean pending() {
    return state == ApprovalResult.PENDING && !withdrawn;
  }

  /**
   * The decisions that counted, e.g. "alice, bob" for an approval or "carol: not now" for a reject.
   */
  public String decidedBy() {
    return decisions.stream()
        .filter(d -> d.ignoredBecause().isEmpty())
        .map(
            d ->
                d.comment() == null || d.comment().isBlank()
                    ? d.by()
                    : d.by() + " (" + d.comment() + ")")
        .collect(java.util.stream.Collectors.joining(", "));
  }

  /** What the approvals inbox shows while the gate waits. */
  public dev.opsflow.contracts.human.HumanTask task() {
    return new dev.opsflow.contracts.human.HumanTask(
        dev.opsflow.contracts.human.HumanTask.APPROVAL,
        action,
        policy.fourEyes() ? "four-eyes: the requester cannot approve" : "",
        requestedBy,
        policy.approvers(),
        policy.required(),
        approvedBy.size(),
        sinceMillis,
        sinceMillis + policy.timeoutSeconds() * 1000,
        List.of(
            dev.opsflow.contracts.human.OperatorNames.APPROVE,
            dev.opsflow.contracts.human.OperatorNames.REJECT));
  }

  public ApprovalStatus status() {
    return new ApprovalStatus(
        state,
        action,
        requestedBy,
        policy.approvers(),
        policy.required(),
        approvedBy.size(),
        sinceMillis,
        sinceMillis + policy.timeoutSeconds() * 1000,
        List.copyOf(decisions));
  }

  private void record(Decision decision, boolean approve, String refusal) {
    decisions.add(
        new ApprovalRecord(
            decision == null ? "" : decision.by(),
            approve,
            decision == null ? "" : decision.comment(),
            Workflow.currentTimeMillis(),
            refusal == null ? "" : refusal));
    if (refusal != null) {
      Workflow.getLogger(ApprovalGate.class)
          .warn("Ignored {} of '{}': {}", approve ? "approval" : "rejection", action, refusal);
    }
  }
}
