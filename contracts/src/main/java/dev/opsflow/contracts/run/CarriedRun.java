package dev.opsflow.contracts.run;

import dev.opsflow.contracts.human.ActionRecord;
import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.ApprovalRecord;
import dev.opsflow.contracts.human.ApprovalResult;
import java.util.List;

/**
 * What a procedure run hands to the run that continues it as new (same workflow ID, fresh history)
 * when its history grew past the bound: the kernel's whole state at a safe wait, so the next run
 * resumes that wait instead of repeating anything done before it.
 *
 * @param resumeAt the wait the next run resumes: {@link #APPROVAL}, {@link #ADMISSION} or {@link
 *     #COOLDOWN}
 * @param phase the phase shown (e.g. WAITING_FOR_APPROVAL), and {@code detail} its sentence
 * @param startedAtMillis when the first run of the chain began (time-to-fix counts from here)
 * @param steps every step recorded so far, in order
 * @param decisions the run's own decisions (acknowledge, failed-step answers, ignored ones); the
 *     approval gate's are in {@code gate}
 * @param ladder who was told what, in order; {@code incidentOpen} whether this run's PagerDuty
 *     incident is still open
 * @param gate the approval gate, open or decided; null when none was opened
 * @param leaseHeld admission was asked of the governor (a slot is held or queued for this workflow
 *     ID); {@code leaseAdmitted} the governor's admitted signal arrived; {@code
 *     admissionDeadlineMillis} when the admission wait gives up
 * @param continued how many runs of the chain came before the next one
 */
public record CarriedRun(
    String resumeAt,
    String phase,
    String detail,
    long startedAtMillis,
    List<ActionRecord> steps,
    List<ApprovalRecord> decisions,
    List<String> ladder,
    boolean incidentOpen,
    boolean acknowledged,
    String cancelledBy,
    Gate gate,
    boolean leaseHeld,
    boolean leaseAdmitted,
    long admissionDeadlineMillis,
    int continued) {
  /** Resumes waiting for the approval gate (which stays open, with its deadline). */
  public static final String APPROVAL = "APPROVAL";

  /** Resumes waiting for the governor's admission (asked for once, not again). */
  public static final String ADMISSION = "ADMISSION";

  /** Resumes the cooldown after the action, until it ends as it would have. */
  public static final String COOLDOWN = "COOLDOWN";

  public CarriedRun {
    steps = steps == null ? List.of() : List.copyOf(steps);
    decisions = decisions == null ? List.of() : List.copyOf(decisions);
    ladder = ladder == null ? List.of() : List.copyOf(ladder);
    cancelledBy = cancelledBy == null ? "" : cancelledBy;
    detail = detail == null ? "" : detail;
  }

  /**
   * An approval gate as it stood: what it asks, of whom, since when, the decisions received (those
   * that counted and those ignored), who approved so far, and where its Slack message is so the
   * next run replaces it with the outcome instead of posting again.
   */
  public record Gate(
      String action,
      String requestedBy,
      ApprovalPolicy policy,
      long sinceMillis,
      List<ApprovalRecord> decisions,
      List<String> approvedBy,
      ApprovalResult state,
      boolean withdrawn,
      String withdrawnBecause,
      String slackChannel,
      String slackTs) {
    public Gate {
      decisions = decisions == null ? List.of() : List.copyOf(decisions);
      approvedBy = approvedBy == null ? List.of() : List.copyOf(approvedBy);
      state = state == null ? ApprovalResult.PENDING : state;
      withdrawnBecause = withdrawnBecause == null ? "" : withdrawnBecause;
    }
  }
}
