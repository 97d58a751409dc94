package dev.opsflow.workflows.runbook;

import com.uber.m3.tally.Scope;
import io.temporal.workflow.Workflow;
import java.util.Map;

/**
 * The interpreter's metrics, through {@link Workflow#getMetricsScope()} as the kernel's {@code
 * RunMetrics}: silent on replay, no workflow command. Prometheus names (the worker's registry adds
 * the suffixes): {@code runbook_executions_total{runbook,status}} (status {@code succeeded}, {@code
 * failed}, {@code cancelled}), {@code runbook_step_failures_total{runbook,step}} and {@code
 * runbook_duration_seconds{runbook}}. Dry runs are not counted: they change nothing and would blur
 * what the runbooks did.
 */
public final class RunbookMetrics {
  public static final String EXECUTIONS = "runbook_executions";
  public static final String STEP_FAILURES = "runbook_step_failures";
  public static final String DURATION = "runbook_duration";

  private RunbookMetrics() {}

  /** A step of {@code runbook} failed (after its retries). */
  public static void stepFailed(String runbook, String step) {
    scope(Map.of("runbook", runbook, "step", step)).counter(STEP_FAILURES).inc(1);
  }

  /** A run of {@code runbook} ended with {@code status} after {@code durationMillis}. */
  public static void ended(String runbook, String status, long durationMillis) {
    scope(Map.of("runbook", runbook, "status", status)).counter(EXECUTIONS).inc(1);
    scope(Map.of("runbook", runbook))
        .timer(DURATION)
        .record(com.uber.m3.util.Duration.ofMillis(Math.max(0, durationMillis)));
  }

  private static Scope scope(Map<String, String> tags) {
    return Workflow.getMetricsScope().tagged(tags);
  }
}
