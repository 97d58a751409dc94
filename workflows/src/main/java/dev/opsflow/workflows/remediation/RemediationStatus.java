package dev.opsflow.workflows.remediation;

import dev.opsflow.workflows.operator.ActionRecord;
import java.util.List;

/**
 * Answer of the {@code status} query.
 *
 * @param phase see {@link Phase}
 * @param detail a sentence on what the phase is waiting for or why it ended
 * @param notices firing notices received, duplicates of one episode counted once
 * @param actions actions taken, in order
 * @param escalations who was told, and how that went
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
    List<String> escalations) {

  /** The steps of a remediation, in order. */
  public enum Phase {
    RECEIVED,
    CONFIRMING,
    WAITING_FOR_ADMISSION,
    ACTING,
    SETTLING,
    VERIFYING,
    ESCALATING,
    COOLDOWN,
    /** Closed: the problem was gone (resolved alert, or not there when checked) before acting. */
    NOT_NEEDED,
    /** Closed: acted and verified. */
    FIXED,
    /** Closed: a human was asked to take over. */
    ESCALATED
  }
}
