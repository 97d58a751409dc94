package dev.opsflow.contracts.failover;

/**
 * One line of a failover's timeline: what was done or found, when, at which WAL position and who
 * decided.
 *
 * @param step e.g. {@code precheck}, {@code confirm-down}, {@code approval}, {@code fence}, {@code
 *     final-lsn}, {@code replay}, {@code promote}, {@code verify-writable}, {@code repoint}
 * @param atMillis when it was recorded (workflow time)
 * @param member the member it concerns ("" for none)
 * @param lsn the WAL position it concerns ("" for none)
 * @param decidedBy who decided ("" when nobody had to; {@code opsflow} for the automaton's policy)
 * @param success false when the step failed or found a problem
 * @param detail what happened, in the operator's words
 */
public record TimelineEntry(
    String step,
    long atMillis,
    String member,
    String lsn,
    String decidedBy,
    boolean success,
    String detail) {
  public TimelineEntry {
    member = member == null ? "" : member;
    lsn = lsn == null ? "" : lsn;
    decidedBy = decidedBy == null ? "" : decidedBy;
    detail = detail == null ? "" : detail;
  }
}
