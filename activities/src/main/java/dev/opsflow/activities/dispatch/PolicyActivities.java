package dev.opsflow.activities.dispatch;

import dev.opsflow.contracts.remediation.HealingPolicy;
import io.temporal.activity.ActivityInterface;

/**
 * The safety policy as the worker's configuration sets it. A run reads it once, through this
 * activity (so the answer is in its history and replays), instead of trusting the limits in its
 * input: a caller may tighten the server's limits, never loosen them.
 */
@ActivityInterface
public interface PolicyActivities {
  /** The limits, thresholds and human policy of {@code healing.*}, {@code procedures:}. */
  HealingPolicy serverPolicy();
}
