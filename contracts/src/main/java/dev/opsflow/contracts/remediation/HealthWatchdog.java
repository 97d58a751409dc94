package dev.opsflow.contracts.remediation;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A periodic health check, for teams without an alerting stack: every CHECK_INTERVAL it checks its
 * targets and hands each problem to the same dispatch path the Alertmanager webhook uses, so
 * deduplication, cooldowns and the blast-radius governor apply alike. One long-running workflow per
 * check ({@code watchdog-kafka}, {@code watchdog-postgres}, {@code watchdog-pods}, {@code
 * watchdog-disk}); it continues as new to keep its history bounded.
 */
@WorkflowInterface
public interface HealthWatchdog {
  @WorkflowMethod
  void watch(WatchdogInput input);

  /** New targets or policy (the starter sends this on every start-up). */
  @SignalMethod
  void reconfigure(WatchdogInput input);

  @QueryMethod
  WatchdogStatus status();
}
