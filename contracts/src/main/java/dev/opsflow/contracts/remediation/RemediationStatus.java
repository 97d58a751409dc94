package dev.opsflow.contracts.remediation;

import dev.opsflow.contracts.human.ActionRecord;
import dev.opsflow.contracts.human.ApprovalRecord;
import dev.opsflow.contracts.human.HumanTask;
import java.util.List;

/**
 * Answer of the {@code status} query.
 *
 * @param phase see {@link Phase}
 * @param detail a sentence on what the phase is waiting for or why it ended
 * @param notices firing notices received, duplicates of one episode counted once
 * @param actions actions taken, in order
 * @param escalations who was told, and how that went
 * @param waitingFor what waits for a human now (approval with who may approve, or a failed step)
 * @param decisions every approve/reject/retry/skip/fail/acknowledge received, with the reason when
 *     it did not count
 * @param cancelledBy who cancelled the run and why, where known
 * @param policyNotes what the run did with the limits in its input: tighter ones applied, looser
 *     ones refused (the server's policy holds)
 */
public record RemediationStatus(
    String workflowId,
    String procedure,
    String target,
    String severity,
    Phase phase,
    String detail,
    int notices,
    List<ActionRecord> actions,
    List<String> escalations,
    List<HumanTask> waitingFor,
    List<ApprovalRecord> decisions,
    String cancelledBy,
    List<String> policyNotes) {
  public RemediationStatus {
    policyNotes = policyNotes == null ? List.of() : List.copyOf(policyNotes);
  }

  /** The steps of a remediation, in order. */
  public enum Phase {
    RECEIVED,
    CONFIRMING,
    /** A human must approve before the procedure acts (the procedure's approval policy). */
    WAITING_FOR_APPROVAL,
    WAITING_FOR_ADMISSION,
    ACTING,
    /** An action failed after its retries; a human answers retryStep, skipStep or failStep. */
    WAITING_FOR_DECISION,
    SETTLING,
    VERIFYING,
    ESCALATING,
    COOLDOWN,
    /** Closed: the problem was gone (resolved alert, or not there when checked) before acting. */
    NOT_NEEDED,
    /** Closed: acted and verified. */
    FIXED,
    /** Closed: a human was asked to take over. */
    ESCALATED,
    /** Closed: an approver rejected the action; nothing was done. */
    REJECTED,
    /** Closed: cancelled (Web UI, tctl, CLI, REST API); cleanup ran. */
    CANCELLED,
    /**
     * Closed: something unexpected went wrong (a read failed, a value did not parse); humans were
     * told the reason and the slot was given back.
     */
    FAILED
  }
}
