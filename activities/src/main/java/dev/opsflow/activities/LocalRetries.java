package dev.opsflow.activities;

import java.time.Duration;

/** How the local activities of every procedure retry. */
public final class LocalRetries {
  /**
   * The longest backoff a local activity waits inside its workflow task. A longer one ends the task
   * with a timer and a marker that records the attempt and the first schedule time, so the retries
   * are durable and the schedule-to-close budget holds. Without it the retries of a failing read
   * (the Kubernetes API unreachable) kept the task open past its timeout, the task was heartbeated,
   * and a worker without sticky execution (the dev stack) replayed it and started the read again
   * from attempt 1 beside the old one, every 8 s: the budget never ran out and the run never
   * escalated.
   */
  public static final Duration THRESHOLD = Duration.ofSeconds(1);

  /**
   * The attempts that fill a ten-minute budget at a backoff of 1 s doubling to 30 s (31 s over the
   * first six, then 30 s each). A local activity's retries are not ended by its schedule-to-close
   * budget alone (the SDK lets them run on), so the local activities of ten minutes with that
   * backoff stop at this many attempts.
   */
  public static final int TEN_MINUTES_OF_ATTEMPTS = 25;

  private LocalRetries() {}
}
