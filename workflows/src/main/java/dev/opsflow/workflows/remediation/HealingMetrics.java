package dev.opsflow.workflows.remediation;

import com.uber.m3.tally.Scope;
import dev.opsflow.workflows.kernel.RunMetrics;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.Map;

/**
 * The automaton's metrics, emitted through {@link Workflow#getMetricsScope()} so a replayed
 * workflow does not count twice. Prometheus names: {@code healing_actions_total{action,success}},
 * {@code healing_latency_seconds} (histogram), {@code healing_checks_total{check}}.
 */
public final class HealingMetrics {
  public static final String ACTIONS = "healing_actions";
  public static final String LATENCY = "healing_latency";
  public static final String CHECKS = "healing_checks";

  private HealingMetrics() {}

  public static void action(String action, boolean success) {
    scope(Map.of("action", action, "success", Boolean.toString(success))).counter(ACTIONS).inc(1);
  }

  /** Detection (the first notice) to a verified fix. */
  public static void fixed(String procedure, Duration latency) {
    scope(Map.of("procedure", procedure))
        .timer(LATENCY)
        .record(com.uber.m3.util.Duration.ofMillis(latency.toMillis()));
  }

  public static void check(String check) {
    scope(Map.of("check", check)).counter(CHECKS).inc(1);
  }

  /** A remediation handed over to a human while in {@code phase} (see {@link RunMetrics}). */
  public static void escalated(String procedure, String phase) {
    RunMetrics.escalated(procedure, phase);
  }

  private static Scope scope(Map<String, String> tags) {
    return Workflow.getMetricsScope().tagged(tags);
  }
}
