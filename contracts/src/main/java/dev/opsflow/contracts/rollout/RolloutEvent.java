package dev.opsflow.contracts.rollout;

/**
 * One line of a rollout's timeline.
 *
 * @param step e.g. {@code validate}, {@code weight}, {@code analysis}, {@code pause}, {@code
 *     promote}, {@code abort}, {@code rollback}, {@code scale-down}
 * @param atMillis when it was recorded (workflow time, Unix millis)
 * @param canaryWeight the new version's traffic percentage after this line (0-100)
 * @param decidedBy who decided ("" when nobody had to; {@code opsflow} for the automaton)
 * @param success false when the step failed or found a problem
 * @param detail what happened, in the operator's words
 */
public record RolloutEvent(
    String step,
    long atMillis,
    int canaryWeight,
    String decidedBy,
    boolean success,
    String detail) {
  public RolloutEvent {
    decidedBy = decidedBy == null ? "" : decidedBy;
    detail = detail == null ? "" : detail;
  }
}
