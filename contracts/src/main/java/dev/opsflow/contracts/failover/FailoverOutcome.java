package dev.opsflow.contracts.failover;

/** How a failover ended. */
public enum FailoverOutcome {
  /** Still running. */
  RUNNING,
  /** The candidate was promoted, takes writes, and the Service names only it. */
  COMPLETED,
  /** A human rejected it before anything was changed. */
  REJECTED,
  /**
   * Given up before the promotion (a failed step, a replay that did not catch up, a "no" to
   * promoting anyway): the old primary was unfenced and traffic left where it was.
   */
  ROLLED_BACK,
  /**
   * A human must take over: a pre-check failed (nothing changed), or something failed after the
   * promotion (never un-promoted; the old primary stays fenced; see the status's next manual step).
   */
  ESCALATED,
  /** Cancelled: before the promotion compensated, after it left as it was. */
  CANCELLED,
  /** Something unexpected; humans were told, compensation ran where it still could. */
  FAILED
}
