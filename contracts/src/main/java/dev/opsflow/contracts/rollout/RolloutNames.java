package dev.opsflow.contracts.rollout;

/**
 * The names an operator types to steer a rollout (canary, blue-green, ML model deployment): each
 * exists as an Update (the REST API, the CLI and Slack, refused at once with the reason when it
 * would not count) and as a signal of the same name (the Web UI, tctl; one that would not count is
 * recorded and ignored). The payload is a {@link dev.opsflow.contracts.human.Decision}.
 */
public final class RolloutNames {
  /** Holds the rollout at its current weight until resumed; analysis goes on. */
  public static final String PAUSE = "pause";

  /** Ends a pause asked for by {@link #PAUSE} (a step's own timed pause keeps running). */
  public static final String RESUME = "resume";

  /**
   * Ends the current step's pause at once (also an indefinite one, and one an inconclusive analysis
   * asked a human about) and goes on to the next step.
   */
  public static final String PROMOTE = "promote";

  /** Skips every remaining step and analysis: the new version takes all traffic now. */
  public static final String PROMOTE_FULL = "promoteFull";

  /** Stops and rolls back: the new version gets no traffic, the stable one its full capacity. */
  public static final String ABORT = "abort";

  /** After an abort or a rollback, starts the rollout again from its first step. */
  public static final String RETRY = "retry";

  private RolloutNames() {}
}
