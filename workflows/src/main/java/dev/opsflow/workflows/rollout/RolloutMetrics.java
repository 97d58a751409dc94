package dev.opsflow.workflows.rollout;

import com.uber.m3.tally.Scope;
import dev.opsflow.contracts.rollout.RolloutPhase;
import io.temporal.workflow.Workflow;
import java.util.Map;

/**
 * The rollouts' metrics, through {@link Workflow#getMetricsScope()} as the kernel's {@code
 * RunMetrics}: silent on replay, no workflow command. Prometheus names: {@code
 * rollout_total{kind,outcome}} (outcome {@code promoted}, {@code rolled_back}, {@code failed},
 * {@code rejected}, {@code cancelled}), {@code rollout_duration_seconds{kind}} (start to end, waits
 * for humans included) and {@code rollout_rollback_seconds{kind}} (a rollback's decision to the
 * stable version holding all traffic at full capacity).
 */
public final class RolloutMetrics {
  public static final String TOTAL = "rollout";
  public static final String DURATION = "rollout_duration";
  public static final String ROLLBACK = "rollout_rollback";

  private RolloutMetrics() {}

  /** A run of {@code kind} ended in {@code phase} after {@code durationMillis}. */
  public static void ended(String kind, RolloutPhase phase, long durationMillis) {
    String outcome =
        switch (phase) {
          case PROMOTED -> "promoted";
          case ROLLED_BACK -> "rolled_back";
          case FAILED -> "failed";
          case REJECTED -> "rejected";
          default -> "cancelled";
        };
    scope(Map.of("kind", kind, "outcome", outcome)).counter(TOTAL).inc(1);
    scope(Map.of("kind", kind))
        .timer(DURATION)
        .record(com.uber.m3.util.Duration.ofMillis(Math.max(0, durationMillis)));
  }

  /** A rollback of {@code kind} took {@code millis}. */
  public static void rolledBack(String kind, long millis) {
    scope(Map.of("kind", kind))
        .timer(ROLLBACK)
        .record(com.uber.m3.util.Duration.ofMillis(Math.max(0, millis)));
  }

  private static Scope scope(Map<String, String> tags) {
    return Workflow.getMetricsScope().tagged(tags);
  }
}
