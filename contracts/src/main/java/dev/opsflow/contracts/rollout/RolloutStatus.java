package dev.opsflow.contracts.rollout;

import java.util.List;

/**
 * A rollout's state: the {@code status} query's answer while it runs, each control Update's answer,
 * and the run's result.
 *
 * @param kind {@code CanaryRollout}, {@code BlueGreenDeployment} or {@code MlModelDeployment}
 * @param namespace the target's namespace
 * @param target the stable Deployment (or the model's name)
 * @param newVersion what is being rolled out (an image, a model version)
 * @param phase where the rollout stands
 * @param step the current step, 1-based (0 before the first)
 * @param steps how many steps the rollout has
 * @param canaryWeight the new version's traffic percentage now (0-100)
 * @param stableWeight the stable version's traffic percentage now (0-100)
 * @param waitingFor what waits for a human, in the operator's words ("" when nothing)
 * @param pausedBy who paused it ("" when not paused by a person)
 * @param analysis every metric's counts and last measurement, for the step being analysed
 * @param failure why it rolled back or failed ("" while fine)
 * @param rollbackMillis how long the last rollback took, from its decision to the stable version
 *     holding all traffic at full capacity (null: none happened)
 * @param timeline every step, in order
 * @param notes policy notes (e.g. a requested setting looser than the server's, ignored)
 */
public record RolloutStatus(
    String kind,
    String namespace,
    String target,
    String newVersion,
    RolloutPhase phase,
    int step,
    int steps,
    int canaryWeight,
    int stableWeight,
    String waitingFor,
    String pausedBy,
    List<MetricProgress> analysis,
    String failure,
    Long rollbackMillis,
    List<RolloutEvent> timeline,
    List<String> notes) {
  public RolloutStatus {
    waitingFor = waitingFor == null ? "" : waitingFor;
    pausedBy = pausedBy == null ? "" : pausedBy;
    failure = failure == null ? "" : failure;
    analysis = analysis == null ? List.of() : List.copyOf(analysis);
    timeline = timeline == null ? List.of() : List.copyOf(timeline);
    notes = notes == null ? List.of() : List.copyOf(notes);
  }

  /** Whether the run has ended (promoted, rolled back, failed or rejected). */
  public boolean ended() {
    return phase == RolloutPhase.PROMOTED
        || phase == RolloutPhase.ROLLED_BACK
        || phase == RolloutPhase.FAILED
        || phase == RolloutPhase.REJECTED;
  }
}
