package dev.opsflow.contracts.rollout;

import java.time.Duration;

/**
 * One step of a canary: set the new version's traffic to {@code weight}, then pause.
 *
 * @param weight the new version's traffic percentage, 1-100, rising from step to step
 * @param pause how long to stay at this weight measuring (ISO-8601, e.g. {@code PT10M}); null =
 *     indefinitely, until an operator promotes
 */
public record CanaryStep(int weight, Duration pause) {
  /** Whether this step waits for an operator's {@code promote}. */
  public boolean indefinite() {
    return pause == null;
  }
}
