package dev.opsflow.contracts.rollout;

/** Where a rollout stands (also the {@code OpsflowPhase} search attribute). */
public enum RolloutPhase {
  /** Input checked, analysis validated, nothing changed on the cluster yet. */
  RECEIVED,
  /** Waiting for an approval the policy requires (before the first step or before 100%). */
  AWAITING_APPROVAL,
  /** Setting a step's weight and waiting for the new version to be ready at it. */
  PROGRESSING,
  /** In a step's pause, measuring; goes on when the pause ends and the analysis passed. */
  ANALYSING,
  /** Held by an operator's {@code pause}, or an indefinite step pause: waits for a human. */
  PAUSED,
  /** An analysis was inconclusive: waits for a human to promote or abort; never a pass. */
  INCONCLUSIVE,
  /** Giving the new version all traffic. */
  PROMOTING,
  /** Taking traffic back from the new version (failed analysis, abort, deadline). */
  ROLLING_BACK,
  /** Rolled back; waits for {@code retry} until the retry window ends. */
  ABORTED,
  /** The new version has all traffic and the old one was scaled down. */
  PROMOTED,
  /** Ended rolled back (the retry window passed, or no retry was allowed). */
  ROLLED_BACK,
  /** Ended with a failure a human must look at (e.g. the rollback itself failed). */
  FAILED,
  /**
   * Ended before anything changed because the candidate failed its validation (an ML model below
   * its acceptance threshold): nothing was deployed.
   */
  REJECTED
}
