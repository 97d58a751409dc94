package dev.opsflow.starter;

import dev.opsflow.activities.dispatch.ServerPolicy;
import dev.opsflow.config.OpsflowConfig;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.remediation.Target;
import dev.opsflow.contracts.remediation.WatchdogInput;
import dev.opsflow.workflows.TaskQueues;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure a watchdog workflow runs for every check that has targets in {@code watch:}: starts it
 * if it is not running, and hands the running one the current targets and policy otherwise
 * (signal-with-start, so several starters racing do not start two).
 */
public final class WatchdogLauncher {
  private static final Logger log = LoggerFactory.getLogger(WatchdogLauncher.class);

  private WatchdogLauncher() {}

  /**
   * @return the IDs of the watchdogs now running
   */
  public static List<String> ensureRunning(WorkflowClient client, OpsflowConfig config) {
    HealingPolicy policy = ServerPolicy.from(config);
    List<String> running = new ArrayList<>();
    for (String check : OpsflowConfig.Watch.CHECKS) {
      List<Map<String, String>> targets = config.watch().targets(check);
      if (targets.isEmpty()) {
        continue;
      }
      WatchdogInput input =
          new WatchdogInput(
              check,
              targets.stream().map(t -> Target.of(WatchdogInput.procedureOf(check), t)).toList(),
              policy,
              0,
              Map.of());
      String id = WatchdogInput.workflowId(check);
      WorkflowStub stub =
          client.newUntypedWorkflowStub(
              "HealthWatchdog",
              WorkflowOptions.newBuilder()
                  .setWorkflowId(id)
                  .setTaskQueue(TaskQueues.OPERATIONS)
                  .setWorkflowIdReusePolicy(
                      WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                  .build());
      stub.signalWithStart("reconfigure", new Object[] {input}, new Object[] {input});
      log.info(
          "Watchdog {} checks {} targets every {}s",
          id,
          targets.size(),
          policy.checkIntervalSeconds());
      running.add(id);
    }
    return running;
  }
}
