package dev.opsflow.contracts.rollout;

import dev.opsflow.contracts.run.RunEnvelope;
import java.time.Duration;
import java.util.List;

/**
 * Asks for one canary release. As tctl JSON: {@code
 * {"target":{"namespace":"shop","service":"web","deployment":"web","image":"web:2"},
 * "analysis":{"name":"http","metrics":[...]},"router":{"type":"replicaRatio"}}}.
 *
 * @param target the Deployment, its Service and the new image
 * @param steps the steps; null or empty = 5% -> 25% -> 50% -> 100%, each paused {@link
 *     #DEFAULT_PAUSE}
 * @param analysis the metrics measured during every pause; null = the built-in error-rate check
 * @param router how traffic is split; null = {@link TrafficRouterSpec.ReplicaRatio}
 * @param progressDeadline the whole rollout must reach 100% within this, else it rolls back; null =
 *     the server's default
 * @param approveBeforeFull whether a human must approve before the last step (100%)
 * @param scaleDownDelay after a rollback, how long the canary keeps its pods before it is scaled to
 *     zero (for a post-mortem look); null = the server's default
 * @param retryWindow after a rollback, how long the run waits for {@code retry} before it ends;
 *     null = the server's default, zero = end at once
 * @param run severity, the alert that asked, who asked, human policy
 */
public record CanaryRequest(
    RolloutTarget target,
    List<CanaryStep> steps,
    AnalysisTemplate analysis,
    TrafficRouterSpec router,
    Duration progressDeadline,
    boolean approveBeforeFull,
    Duration scaleDownDelay,
    Duration retryWindow,
    RunEnvelope run) {
  /** The pause of each default step. */
  public static final Duration DEFAULT_PAUSE = Duration.ofMinutes(5);

  /** The default steps: 5% -> 25% -> 50% -> 100%. */
  public static final List<CanaryStep> DEFAULT_STEPS =
      List.of(
          new CanaryStep(5, DEFAULT_PAUSE),
          new CanaryStep(25, DEFAULT_PAUSE),
          new CanaryStep(50, DEFAULT_PAUSE),
          new CanaryStep(100, Duration.ZERO));

  public CanaryRequest {
    steps = steps == null || steps.isEmpty() ? DEFAULT_STEPS : List.copyOf(steps);
    router = router == null ? new TrafficRouterSpec.ReplicaRatio() : router;
    run = run == null ? new RunEnvelope("medium", null, null, null) : run;
  }
}
