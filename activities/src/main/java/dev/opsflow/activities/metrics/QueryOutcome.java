package dev.opsflow.activities.metrics;

/** Whether a query matched anything. */
public enum QueryOutcome {
  /** At least one sample or series came back. */
  VALUE,
  /**
   * No series matched (the metric is absent, the selector is wrong, or the target is not scraped).
   * This is not a reading of zero: a workflow must not act on it as if all were well.
   */
  EMPTY
}
