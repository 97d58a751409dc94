package dev.opsflow.workflows.failover;

import com.uber.m3.tally.Scope;
import dev.opsflow.contracts.failover.FailoverMode;
import dev.opsflow.contracts.failover.FailoverOutcome;
import io.temporal.workflow.Workflow;
import java.util.Map;

/**
 * The failover's metrics, through {@link Workflow#getMetricsScope()} as the kernel's {@code
 * RunMetrics}: silent on replay, no workflow command. Prometheus names: {@code
 * failover_total{cluster,mode,outcome}}, {@code failover_duration_seconds{cluster,mode}} and {@code
 * failover_write_unavailable_seconds{cluster,mode}} (the fence, or the first failed probe of a
 * failover, to the Service naming the new primary).
 */
public final class FailoverMetrics {
  public static final String TOTAL = "failover";
  public static final String DURATION = "failover_duration";
  public static final String WRITE_UNAVAILABLE = "failover_write_unavailable";

  private FailoverMetrics() {}

  /** A run ended with {@code outcome} after {@code durationMillis}. */
  public static void ended(
      String cluster,
      FailoverMode mode,
      FailoverOutcome outcome,
      long durationMillis,
      Long writeUnavailableMillis) {
    String m = mode == null ? "unknown" : mode.name().toLowerCase();
    scope(Map.of("cluster", cluster, "mode", m, "outcome", outcome.name().toLowerCase()))
        .counter(TOTAL)
        .inc(1);
    Scope run = scope(Map.of("cluster", cluster, "mode", m));
    run.timer(DURATION).record(com.uber.m3.util.Duration.ofMillis(Math.max(0, durationMillis)));
    if (writeUnavailableMillis != null) {
      run.timer(WRITE_UNAVAILABLE)
          .record(com.uber.m3.util.Duration.ofMillis(Math.max(0, writeUnavailableMillis)));
    }
  }

  private static Scope scope(Map<String, String> tags) {
    return Workflow.getMetricsScope().tagged(tags);
  }
}
