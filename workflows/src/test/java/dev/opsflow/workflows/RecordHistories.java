package dev.opsflow.workflows;

import static dev.opsflow.workflows.remediation.RemediationTestKit.deployment;
import static dev.opsflow.workflows.remediation.RemediationTestKit.firing;
import static dev.opsflow.workflows.remediation.RemediationTestKit.lag;
import static dev.opsflow.workflows.remediation.RemediationTestKit.pod;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.when;

import dev.opsflow.activities.diagnostics.ConnectivityActivities;
import dev.opsflow.activities.kubernetes.ExecOutput;
import dev.opsflow.activities.kubernetes.MemoryResult;
import dev.opsflow.activities.kubernetes.RestartResult;
import dev.opsflow.activities.kubernetes.ScaleResult;
import dev.opsflow.activities.postgres.ConnectionUsage;
import dev.opsflow.activities.postgres.TerminateIdleResult;
import dev.opsflow.contracts.diagnostics.ConnectivityCheck;
import dev.opsflow.contracts.diagnostics.ConnectivityCheckInput;
import dev.opsflow.contracts.diagnostics.ProbeResult;
import dev.opsflow.contracts.diagnostics.ProbeTarget;
import dev.opsflow.contracts.remediation.ConsumerGroupTarget;
import dev.opsflow.contracts.remediation.DatabaseTarget;
import dev.opsflow.contracts.remediation.GovernorNames;
import dev.opsflow.contracts.remediation.HealthWatchdog;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.Target;
import dev.opsflow.contracts.remediation.WatchdogInput;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import dev.opsflow.workflows.remediation.RemediationTestKit;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the histories {@link HistoriesReplayTest} replays. Runs only when asked
 * (-Dopsflow.recordHistories=true): recorded histories are the reference, not regenerated on every
 * build, or replay would compare the code with itself. The human-in-the-loop scenarios record
 * theirs from {@code HumanInTheLoopTest} with the same property.
 */
@EnabledIfSystemProperty(named = "opsflow.recordHistories", matches = "true")
public class RecordHistories {
  private final RemediationTestKit kit = new RemediationTestKit();

  @AfterEach
  void tearDown() {
    kit.close();
  }

  private void save(String procedure, String scenario, String workflowId) throws Exception {
    saveIfRecording(kit.client, procedure, scenario, workflowId);
  }

  /**
   * Saves a finished run's history as a replay reference when recording was asked for; other tests
   * (e.g. the human-in-the-loop scenarios) call this so their paths are replayed too.
   */
  public static void saveIfRecording(
      WorkflowClient client, String procedure, String scenario, String workflowId) {
    saveIfRecording(client, procedure, scenario, workflowId, null);
  }

  /**
   * Like {@link #saveIfRecording(WorkflowClient, String, String, String)} for one run of a chain
   * (e.g. a run that continued as new); {@code runId} null is the latest run.
   */
  public static void saveIfRecording(
      WorkflowClient client, String procedure, String scenario, String workflowId, String runId) {
    if (!Boolean.getBoolean("opsflow.recordHistories")) {
      return;
    }
    try {
      Path dir = HistoriesReplayTest.HISTORIES.resolve(procedure);
      Files.createDirectories(dir);
      // Append-only: a history already saved is never overwritten; a new recording of the same
      // scenario (after a versioned change) is saved next to it as scenario-v2.json, -v3, ...
      Path file = dir.resolve(scenario + ".json");
      for (int version = 2; Files.exists(file); version++) {
        file = dir.resolve(scenario + "-v" + version + ".json");
      }
      Files.writeString(
          file,
          (runId == null ? client.fetchHistory(workflowId) : client.fetchHistory(workflowId, runId))
              .toJson(true),
          java.nio.file.StandardOpenOption.CREATE_NEW);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private RemediationRequest run(String procedure, Target target, String severity, String alert) {
    RemediationRequest request =
        RemediationTestKit.request(
            procedure,
            target,
            severity,
            RemediationTestKit.policy(),
            firing(alert, "2026-11-23T10:00:00Z"));
    kit.dispatch(request);
    kit.outcome(request);
    return request;
  }

  @Test
  void connectivityCheck() throws Exception {
    kit.env
        .newWorker("connectivity")
        .registerActivitiesImplementations(
            new ConnectivityActivities() {
              @Override
              public List<ProbeTarget> configuredTargets() {
                return List.of(
                    new ProbeTarget("temporal", "127.0.0.1:7233"),
                    new ProbeTarget("kafka", "127.0.0.1:9092"));
              }

              @Override
              public ProbeResult probe(ProbeTarget target) {
                boolean up = target.system().equals("temporal");
                return new ProbeResult(
                    target.system(),
                    target.endpoint(),
                    up,
                    2,
                    up ? null : "ConnectException: Connection refused");
              }
            });
    kit.env
        .newWorker("connectivity")
        .registerWorkflowImplementationTypes(
            dev.opsflow.workflows.diagnostics.ConnectivityCheckImpl.class);
    kit.start();
    kit.client
        .newWorkflowStub(
            ConnectivityCheck.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId("replay-connectivity-all")
                .setTaskQueue("connectivity")
                .build())
        .check(new ConnectivityCheckInput(List.of()));
    save("connectivitycheck", "all-systems-one-down", "replay-connectivity-all");
  }

  @Test
  void kafkaLagFixedAndGovernor() throws Exception {
    when(kit.kafka.consumerGroupLag(any()))
        .thenReturn(
            lag("orders", 20_000, "orders", 6),
            lag("orders", 20_000, "orders", 6),
            lag("orders", 0, "orders", 6));
    when(kit.k8s.getDeployment("demo", "orders-consumer"))
        .thenReturn(deployment("demo", "orders-consumer", 1, "256Mi", "512Mi"));
    when(kit.k8s.scaleDeployment(any())).thenReturn(new ScaleResult(1, 6, true));
    when(kit.k8s.waitForRollout(any(), any(), anyLong()))
        .thenReturn(deployment("demo", "orders-consumer", 6, "256Mi", "512Mi"));
    kit.start();
    RemediationRequest r =
        run(
            "KafkaLagRemediation",
            new ConsumerGroupTarget("demo", "orders-consumer", "orders", "orders"),
            "high",
            "KafkaConsumerLagHigh");
    save("kafkalag", "scaled-and-fixed", r.workflowId());
    save("governor", "admitted-and-released", GovernorNames.WORKFLOW_ID);
  }

  @Test
  void postgresConnectionsFixed() throws Exception {
    when(kit.postgres.connectionUsage())
        .thenReturn(
            new ConnectionUsage(200, 3, 180, Map.of("idle", 180), 90.0),
            new ConnectionUsage(200, 3, 20, Map.of("idle", 20), 10.0));
    when(kit.postgres.terminateIdleSessions(any()))
        .thenReturn(new TerminateIdleResult("a", false, 160, List.of(), Map.of()));
    kit.start();
    RemediationRequest r =
        run(
            "PostgresConnectionRemediation",
            new DatabaseTarget(""),
            "high",
            "PostgresTooManyConnections");
    save("pgconnections", "idle-sessions-ended", r.workflowId());
  }

  @Test
  void oomRaisedThenRecurredAndEscalated() throws Exception {
    when(kit.k8s.listPods("demo", "app=checkout"))
        .thenReturn(List.of(pod("checkout-1", "checkout", "", "OOMKilled")));
    when(kit.k8s.getDeployment("demo", "checkout"))
        .thenReturn(deployment("demo", "checkout", 1, "512Mi", "1Gi"));
    when(kit.k8s.setContainerMemory(any()))
        .thenReturn(new MemoryResult("512Mi", "1Gi", "615Mi", "1229Mi", true));
    Target target = new WorkloadTarget("demo", "checkout", "app", "");
    RemediationRequest r =
        RemediationTestKit.request(
            "OomRemediation",
            target,
            "critical",
            RemediationTestKit.policy(),
            firing("KubePodOOMKilled", "2026-11-23T10:00:00Z"));
    // While the raised pods roll out they are OOMKilled again: a new episode arrives.
    when(kit.k8s.waitForRollout(any(), any(), anyLong()))
        .thenAnswer(
            call -> {
              kit.dispatch(
                  RemediationTestKit.request(
                      "OomRemediation",
                      target,
                      "critical",
                      RemediationTestKit.policy(),
                      firing("KubePodOOMKilled", "2026-11-23T10:03:00Z")));
              return deployment("demo", "checkout", 1, "615Mi", "1229Mi");
            });
    kit.start();
    kit.dispatch(r);
    kit.client.newUntypedWorkflowStub(r.workflowId()).getResult(RemediationOutcome.class);
    save("oom", "raised-then-recurred", r.workflowId());
  }

  @Test
  void crashLoopRestarted() throws Exception {
    when(kit.k8s.listPods("demo", "app=payments"))
        .thenReturn(
            List.of(pod("payments-1", "payments", "CrashLoopBackOff", "Error")),
            List.of(pod("payments-2", "payments", "", "")));
    when(kit.k8s.rolloutRestart(any())).thenReturn(new RestartResult("2026-11-23T10:00:05Z", true));
    when(kit.k8s.waitForRollout(any(), any(), anyLong()))
        .thenReturn(deployment("demo", "payments", 1, "256Mi", "512Mi"));
    kit.start();
    RemediationRequest r =
        run(
            "CrashLoopRemediation",
            new WorkloadTarget("demo", "payments", "", ""),
            "critical",
            "KubePodCrashLooping");
    save("crashloop", "restarted-and-fixed", r.workflowId());
  }

  @Test
  void diskCleaned() throws Exception {
    String df =
        "Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sda1 100 %d 9 %d%% /var/log/app\n";
    when(kit.k8s.execInPods(argThat(x -> x != null && x.command().get(0).equals("df"))))
        .thenReturn(
            List.of(new ExecOutput("web-1", 0, df.formatted(91, 91), "")),
            List.of(new ExecOutput("web-1", 0, df.formatted(50, 50), "")));
    when(kit.k8s.execInPods(argThat(x -> x != null && x.command().get(0).equals("find"))))
        .thenReturn(List.of(new ExecOutput("web-1", 0, "/var/log/app/a.log\n", "")));
    kit.start();
    RemediationRequest r =
        run(
            "DiskPressureRemediation",
            new WorkloadTarget("demo", "web", "", "app=web"),
            "medium",
            "DiskSpaceHigh");
    save("disk", "old-logs-deleted", r.workflowId());
  }

  @Test
  void watchdogIterations() throws Exception {
    when(kit.kafka.consumerGroupLag(any())).thenReturn(lag("orders", 100, "orders", 6));
    kit.start();
    HealthWatchdog watchdog =
        kit.client.newWorkflowStub(
            HealthWatchdog.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(WatchdogInput.workflowId("kafka"))
                .setTaskQueue(TaskQueues.OPERATIONS)
                .build());
    WorkflowClient.start(
        watchdog::watch,
        new WatchdogInput(
            "kafka",
            List.of(new ConsumerGroupTarget("demo", "orders-consumer", "orders", "orders")),
            RemediationTestKit.policy(),
            0,
            Map.of()));
    kit.env.sleep(Duration.ofSeconds(185));
    save("watchdog", "three-healthy-iterations", WatchdogInput.workflowId("kafka"));
  }
}
