package dev.opsflow.workflows.kernel;

import com.uber.m3.tally.Scope;
import dev.opsflow.contracts.human.ApprovalRecord;
import dev.opsflow.contracts.human.ApprovalResult;
import dev.opsflow.contracts.human.ApprovalStatus;
import dev.opsflow.workflows.human.ApprovalGate;
import io.temporal.workflow.Workflow;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The kernel's metrics, for every procedure family: approvals asked and how they closed, and runs
 * that handed over to a human. Emitted through {@link Workflow#getMetricsScope()}, which is silent
 * on replay, so a run replayed on another worker does not count twice, and no workflow command is
 * added (saved histories keep replaying).
 *
 * <p>Prometheus names (the worker's Micrometer registry adds the suffixes):
 *
 * <ul>
 *   <li>{@code opsflow_approvals_requested_total{procedure}}: an approval gate opened.
 *   <li>{@code opsflow_approvals_closed_total{procedure,outcome}}: it closed, {@code outcome} one
 *       of {@code approved}, {@code rejected}, {@code timeout} (nobody decided in time; the
 *       policy's onTimeout applied), {@code withdrawn} (the problem went away, or the run was
 *       cancelled or failed while waiting). Requested minus closed is the number of approvals open
 *       now, as far as the workers alive since they were asked can tell (see the alert's
 *       description).
 *   <li>{@code opsflow_approval_wait_seconds{procedure,outcome}} (count, sum, max): how long a
 *       closed approval waited.
 *   <li>{@code opsflow_escalations_total{procedure,phase,reason_kind}}: a run handed over to a
 *       human, in {@code phase} (where it gave up, e.g. WAITING_FOR_APPROVAL,
 *       WAITING_FOR_ADMISSION, ACTING, VERIFYING, COOLDOWN); {@code reason_kind} is {@code
 *       escalated} (the procedure's own rule) or {@code failed} (something unexpected; the kernel's
 *       failed path).
 * </ul>
 */
public final class RunMetrics {
  public static final String APPROVALS_REQUESTED = "opsflow_approvals_requested";
  public static final String APPROVALS_CLOSED = "opsflow_approvals_closed";
  public static final String APPROVAL_WAIT = "opsflow_approval_wait";
  public static final String ESCALATIONS = "opsflow_escalations";

  /** The {@code outcome} values of a closed approval. */
  public static final List<String> OUTCOMES =
      List.of("approved", "rejected", "timeout", "withdrawn");

  private RunMetrics() {}

  /**
   * Counts the gate as requested, waits with {@code await}, and counts how it closed on every way
   * out: a decision, the timeout, the problem going away, or an exception (the run was cancelled or
   * failed while waiting), so requested and closed stay balanced within a run.
   */
  public static ApprovalResult awaited(
      String procedure, ApprovalGate gate, Supplier<ApprovalResult> await) {
    return awaited(procedure, gate, true, await, () -> false);
  }

  /**
   * Like {@link #awaited(String, ApprovalGate, Supplier)} for a gate that may span runs of a chain
   * (continued as new): it counts as requested only where it opened ({@code opened}), and does not
   * count as closed when the wait stopped because the run hands over ({@code handingOver}), so the
   * gate counts once across the chain.
   */
  public static ApprovalResult awaited(
      String procedure,
      ApprovalGate gate,
      boolean opened,
      Supplier<ApprovalResult> await,
      java.util.function.BooleanSupplier handingOver) {
    if (opened) {
      scope(Map.of("procedure", name(procedure))).counter(APPROVALS_REQUESTED).inc(1);
    }
    ApprovalResult result = null;
    try {
      result = await.get();
      return result;
    } finally {
      if (!(result == ApprovalResult.PENDING && handingOver.getAsBoolean())) {
        closed(procedure, gate.status(), result);
      }
    }
  }

  /** The {@code outcome} label of a gate that returned {@code result} (null: it threw). */
  static String outcome(ApprovalStatus status, ApprovalResult result) {
    if (result == null || result == ApprovalResult.PENDING) {
      return "withdrawn";
    }
    if (result == ApprovalResult.ESCALATE || timedOut(status)) {
      return "timeout";
    }
    return result == ApprovalResult.APPROVED ? "approved" : "rejected";
  }

  /** A run handed over to a human by its procedure's own rule, while in {@code phase}. */
  public static void escalated(String procedure, String phase) {
    escalation(procedure, phase, "escalated");
  }

  /** A run failed unexpectedly in {@code phase}; the kernel hands it over to a human. */
  public static void failed(String procedure, String phase) {
    escalation(procedure, phase, "failed");
  }

  private static void escalation(String procedure, String phase, String kind) {
    scope(Map.of("procedure", name(procedure), "phase", phase, "reason_kind", kind))
        .counter(ESCALATIONS)
        .inc(1);
  }

  private static void closed(String procedure, ApprovalStatus status, ApprovalResult result) {
    Scope closed = scope(Map.of("procedure", name(procedure), "outcome", outcome(status, result)));
    closed.counter(APPROVALS_CLOSED).inc(1);
    closed
        .timer(APPROVAL_WAIT)
        .record(
            com.uber.m3.util.Duration.ofMillis(
                Math.max(0, Workflow.currentTimeMillis() - status.sinceMillis())));
  }

  /** The gate records its timeout as a decision by "timeout", at or after the deadline. */
  private static boolean timedOut(ApprovalStatus status) {
    List<ApprovalRecord> decisions = status.decisions();
    if (decisions.isEmpty()) {
      return false;
    }
    ApprovalRecord last = decisions.get(decisions.size() - 1);
    return last.by().equals("timeout")
        && last.ignoredBecause().isEmpty()
        && last.atMillis() >= status.deadlineMillis();
  }

  /** A run that failed before {@code begin} has no procedure yet: its workflow type stands in. */
  private static String name(String procedure) {
    return procedure == null || procedure.isEmpty()
        ? Workflow.getInfo().getWorkflowType()
        : procedure;
  }

  private static Scope scope(Map<String, String> tags) {
    return Workflow.getMetricsScope().tagged(tags);
  }
}
