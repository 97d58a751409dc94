package dev.opsflow.contracts.run;

import dev.opsflow.contracts.human.HumanPolicy;

/**
 * What every procedure's input carries, whatever the family (remediation, failover, rollout,
 * runbook): how urgent, the notification that asked for the run, who asked, and the human policy
 * the caller asks for. The safety policy is the server's: a {@code human} here may add an approval
 * the server does not require, never remove one (see each family's tightening).
 *
 * @param severity critical, high, medium or low
 * @param alert the notification that asked for the run; null for a run started by hand
 * @param requestedBy who asked: {@link #AUTOMATON} for alerts and watchdogs, the caller for a run
 *     started through the REST API or the CLI (under four-eyes they cannot approve it themselves)
 * @param human the caller's human policy, or null (the server's applies)
 */
public record RunEnvelope(
    String severity, AlertNotice alert, String requestedBy, HumanPolicy human) {
  /** Asked for by the automaton (an alert or a watchdog). */
  public static final String AUTOMATON = "opsflow";

  public RunEnvelope {
    requestedBy = requestedBy == null || requestedBy.isBlank() ? AUTOMATON : requestedBy;
  }

  /** A run an alert (or a watchdog finding) asked for. */
  public static RunEnvelope alerted(String severity, AlertNotice alert) {
    return new RunEnvelope(severity, alert, AUTOMATON, null);
  }
}
