package dev.opsflow.cli;

import dev.opsflow.contracts.failover.FailoverDoor;
import dev.opsflow.contracts.failover.FailoverMode;
import dev.opsflow.contracts.failover.FailoverRequest;
import dev.opsflow.contracts.failover.FailoverStarted;
import dev.opsflow.contracts.run.RunEnvelope;
import dev.opsflow.worker.TemporalConnection;
import dev.opsflow.workflows.TaskQueues;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "failover",
    mixinStandardHelpOptions = true,
    description = {
      "Start the PostgresFailover of a cluster in failover.clusters: one run per cluster, on",
      "workflow ID failover-CLUSTER; while one runs, a second is refused with its ID. It waits for",
      "approval (opsflow approve failover-CLUSTER) unless the server allows an unattended failover.",
      "Example: opsflow failover demo --switchover",
      "Example: opsflow failover demo --to demo-b   (the primary is down)"
    })
final class FailoverCommand extends OperatorCommand {
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  @Parameters(index = "0", paramLabel = "CLUSTER", description = "the cluster's name")
  String cluster;

  @Option(
      names = "--switchover",
      description = "planned: the primary is healthy and is fenced first (default: failover)")
  boolean switchover;

  @Option(
      names = "--to",
      paramLabel = "REPLICA",
      description = "the replica to promote (default: the one with the lowest lag)")
  String to;

  @Option(names = "--by", description = "who asks (default: your login name, ${sys:user.name})")
  String by;

  @Option(
      names = "--task-queue",
      description = "task queue (default ${DEFAULT-VALUE})",
      defaultValue = TaskQueues.OPERATIONS)
  String taskQueue;

  /** The clusters of this configuration's failover.clusters (empty: the worker decides). */
  private Set<String> configured = Set.of();

  @Override
  void validate() {
    if (!NAME.matcher(cluster).matches()) {
      throw new BadInputException(
          "CLUSTER: '" + cluster + "' is not a cluster name (lower-case letters, digits, '-')");
    }
    if (to != null && !NAME.matcher(to).matches()) {
      throw new BadInputException(
          "--to: '" + to + "' is not a member name (lower-case letters, digits, '-')");
    }
    if (by != null && by.isBlank()) {
      throw new BadInputException("--by: must not be empty");
    }
    // The door's check, before connecting: a cluster our configuration lacks never starts a run.
    configured = connection.load().failover().clusters().keySet();
    try {
      FailoverDoor.requireConfigured(cluster, configured);
    } catch (FailoverDoor.UnknownCluster e) {
      throw new BadInputException(e.getMessage());
    }
  }

  @Override
  int run(TemporalConnection temporal) throws Exception {
    FailoverMode mode = switchover ? FailoverMode.SWITCHOVER : FailoverMode.FAILOVER;
    FailoverStarted started =
        FailoverDoor.start(
            temporal.client(),
            taskQueue,
            new FailoverRequest(
                cluster, mode, to, new RunEnvelope("critical", null, byOrLogin(by), null), null),
            configured);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("workflowId", started.workflowId());
    answer.put("runId", started.runId());
    answer.put("mode", mode.name());
    answer.put("alreadyRunning", started.alreadyRunning());
    if (json) {
      printJson(answer);
    } else if (started.alreadyRunning()) {
      spec.commandLine()
          .getErr()
          .printf(
              "opsflow: a failover of %s is already running: workflowId=%s runId=%s;"
                  + " follow it with: opsflow status %s%n",
              cluster, started.workflowId(), started.runId(), started.workflowId());
    } else {
      out()
          .printf(
              "Started PostgresFailover (%s) of %s  workflowId=%s  runId=%s%n"
                  + "Approve with: opsflow approve %s   follow with: opsflow status %s%n",
              mode.name().toLowerCase(),
              cluster,
              started.workflowId(),
              started.runId(),
              started.workflowId(),
              started.workflowId());
    }
    return started.alreadyRunning() ? OpsflowCommand.FAILED : 0;
  }
}
