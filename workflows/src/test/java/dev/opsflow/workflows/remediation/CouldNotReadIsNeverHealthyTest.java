package dev.opsflow.workflows.remediation;

import static dev.opsflow.workflows.remediation.RemediationTestKit.deployment;
import static dev.opsflow.workflows.remediation.RemediationTestKit.df;
import static dev.opsflow.workflows.remediation.RemediationTestKit.firing;
import static dev.opsflow.workflows.remediation.RemediationTestKit.lag;
import static dev.opsflow.workflows.remediation.RemediationTestKit.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.opsflow.activities.kubernetes.ExecOutput;
import dev.opsflow.activities.kubernetes.MemoryResult;
import dev.opsflow.activities.kubernetes.RestartResult;
import dev.opsflow.contracts.remediation.ConsumerGroupTarget;
import dev.opsflow.contracts.remediation.HealthWatchdog;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationStatus;
import dev.opsflow.contracts.remediation.RemediationStatus.Phase;
import dev.opsflow.contracts.remediation.Target;
import dev.opsflow.contracts.remediation.WatchdogInput;
import dev.opsflow.contracts.remediation.WatchdogStatus;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import dev.opsflow.workflows.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A reading that could not be taken is UNKNOWN, never healthy: at confirmation nothing is done and
 * a human hears why; at verification the run escalates. Also: recurrence is a later episode, not
 * one more pod of the episode that was fixed; and the watchdog does not lose a problem's streak or
 * its configuration to one bad read or one bad signal.
 */
class CouldNotReadIsNeverHealthyTest {
  private static final Target WEB = new WorkloadTarget("demo", "web", "app", "app=web");
  private final RemediationTestKit kit = new RemediationTestKit();

  @AfterEach
  void close() {
    kit.close();
  }

  private RemediationRequest disk() {
    return RemediationTestKit.request(
        "DiskPressureRemediation",
        WEB,
        "critical",
        RemediationTestKit.policy(),
        firing("DiskSpaceHigh", "2026-11-23T10:00:00Z"));
  }

  /** Runs the disk remediation on {@link #WEB}, asserts it escalated, and returns its detail. */
  private String diskRunEscalates() {
    kit.start();
    RemediationRequest request = disk();
    kit.dispatch(request);
    RemediationOutcome outcome = kit.outcome(request);
    assertThat(outcome.result()).isEqualTo(Phase.ESCALATED);
    return outcome.detail();
  }

  private void dfReturns(List<ExecOutput> first, List<ExecOutput> later) {
    when(kit.k8s.execInPods(argThat(r -> r != null && r.command().get(0).equals("df"))))
        .thenReturn(first, later);
  }

  private void findDeletes(int exitCode) {
    when(kit.k8s.execInPods(argThat(r -> r != null && r.command().get(0).equals("find"))))
        .thenReturn(List.of(new ExecOutput("web-1", exitCode, "/var/log/app/a.log\n", "")));
  }

  @Test
  void aDfThatFailsAtConfirmationDoesNotActAndEscalates() {
    dfReturns(List.of(new ExecOutput("web-1", 1, "", "df: /var/log/app: No such file")), df(10));
    assertThat(diskRunEscalates()).contains("could not tell").contains("pod web-1 exited 1");
    verify(kit.k8s, never())
        .execInPods(argThat(r -> r != null && r.command().get(0).equals("find")));
  }

  @Test
  void noPodMatchingAtConfirmationIsUnknownNotHealthy() {
    dfReturns(List.of(), List.of());
    assertThat(diskRunEscalates()).contains("no pod matched app=web");
  }

  @Test
  void anUnreadableDfAfterCleaningEscalatesInsteadOfCountingAsFixed() {
    dfReturns(df(91), List.of(new ExecOutput("web-1", 0, "garbage", "")));
    findDeletes(0);
    assertThat(diskRunEscalates()).contains("could not read disk usage after deleting");
  }

  @Test
  void aFindThatExitsNonZeroIsAFailedCleanup() {
    dfReturns(df(91), df(10));
    findDeletes(1);
    assertThat(diskRunEscalates()).contains("deleting old logs under /var/log/app failed");
  }

  @Test
  void anOomVerifyThatFindsNoPodsEscalates() {
    Target checkout = new WorkloadTarget("demo", "checkout", "app", "");
    when(kit.k8s.listPods("demo", "app=checkout"))
        .thenReturn(List.of(pod("checkout-1", "checkout", "", "OOMKilled")), List.of());
    when(kit.k8s.getDeployment("demo", "checkout"))
        .thenReturn(deployment("demo", "checkout", 1, "512Mi", "1Gi"));
    when(kit.k8s.setContainerMemory(any()))
        .thenReturn(new MemoryResult("512Mi", "1Gi", "614Mi", "1229Mi", true));
    when(kit.k8s.waitForRollout(any(), any(), anyLong()))
        .thenReturn(deployment("demo", "checkout", 1, "614Mi", "1229Mi"));
    kit.start();
    RemediationRequest request =
        RemediationTestKit.request(
            "OomRemediation",
            checkout,
            "critical",
            RemediationTestKit.policy(),
            firing("KubePodOOMKilled", "2026-11-23T10:00:00Z"));
    kit.dispatch(request);

    RemediationOutcome outcome = kit.outcome(request);

    assertThat(outcome.result()).isEqualTo(Phase.ESCALATED);
    assertThat(outcome.detail()).contains("could not verify the raised limit");
  }

  @Test
  void noPodMatchingTheSelectorAtConfirmationEscalatesInsteadOfCountingAsNoProblem() {
    // A label typo, or a Deployment that is gone: before, "no pod is crash-looping" ended the run
    // NOT_NEEDED and the alert vanished.
    when(kit.k8s.listPods("demo", "app=ghost")).thenReturn(List.of());
    kit.start();
    RemediationRequest request =
        RemediationTestKit.request(
            "CrashLoopRemediation",
            new WorkloadTarget("demo", "ghost", "", ""),
            "critical",
            RemediationTestKit.policy(),
            firing("KubePodCrashLooping", "2026-11-23T10:00:00Z"));
    kit.dispatch(request);

    RemediationOutcome outcome = kit.outcome(request);

    assertThat(outcome.result()).isEqualTo(Phase.ESCALATED);
    assertThat(outcome.detail()).contains("no pod matches app=ghost");
    verify(kit.k8s, never()).rolloutRestart(any());
  }

  @Test
  void anotherPodsAlertOfTheFixedEpisodeIsNotARecurrence() {
    Target payments = new WorkloadTarget("demo", "payments", "", "");
    when(kit.k8s.listPods("demo", "app=payments"))
        .thenReturn(
            List.of(pod("payments-x-1", "payments", "CrashLoopBackOff", "Error")),
            List.of(pod("payments-y-1", "payments", "", "")));
    String episodeStart = Instant.ofEpochMilli(kit.env.currentTimeMillis()).toString();
    when(kit.k8s.rolloutRestart(any())).thenReturn(new RestartResult("t", true));
    when(kit.k8s.waitForRollout(any(), any(), anyLong()))
        .thenReturn(deployment("demo", "payments", 2, "256Mi", "512Mi"));
    kit.start();
    RemediationRequest request =
        RemediationTestKit.request(
            "CrashLoopRemediation",
            payments,
            "critical",
            RemediationTestKit.policy(),
            firing("KubePodCrashLooping", episodeStart));
    kit.dispatch(request);
    // After the fix was verified, Alertmanager delivers the second pod's alert of the same
    // episode (its own fingerprint, started before the restart).
    kit.env.sleep(Duration.ofSeconds(120));
    kit.dispatch(
        RemediationTestKit.request(
            "CrashLoopRemediation",
            payments,
            "critical",
            RemediationTestKit.policy(),
            new dev.opsflow.contracts.run.AlertNotice(
                "KubePodCrashLooping",
                "firing",
                "fp-other-pod",
                episodeStart,
                Map.of("alertname", "KubePodCrashLooping", "pod", "payments-x-2"),
                Map.of(),
                "alertmanager")));

    RemediationOutcome outcome = kit.outcome(request);

    assertThat(outcome.result()).isEqualTo(Phase.FIXED);
    verify(kit.k8s, times(1)).rolloutRestart(any());
  }

  private HealthWatchdog watchdog(String check) {
    return kit.client.newWorkflowStub(
        HealthWatchdog.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId(WatchdogInput.workflowId(check))
            .setTaskQueue(TaskQueues.OPERATIONS)
            .build());
  }

  @Test
  void oneFailedReadDoesNotTurnTheNextDetectionIntoANewEpisode() {
    Target group = new ConsumerGroupTarget("demo", "orders-consumer", "orders", "orders");
    // Lagging, then one read fails, then lagging again: one streak, one episode.
    when(kit.kafka.consumerGroupLag(any()))
        .thenReturn(lag("orders", 20_000, "orders", 6))
        .thenThrow(ApplicationFailure.newNonRetryableFailure("broker unreachable", "Unavailable"))
        .thenReturn(lag("orders", 20_000, "orders", 6));
    kit.start();
    HealthWatchdog watchdog = watchdog("kafka");
    WorkflowClient.start(
        watchdog::watch,
        new WatchdogInput("kafka", List.of(group), RemediationTestKit.policy(), 0, Map.of()));
    kit.env.sleep(Duration.ofSeconds(125));

    String remediation =
        new RemediationRequest(
                "KafkaLagRemediation", group, "high", null, RemediationRequest.AUTOMATON)
            .workflowId();
    assertThat(
            kit.client
                .newUntypedWorkflowStub(remediation)
                .query("status", RemediationStatus.class)
                .notices())
        .as("the detection after the failed read continues the same episode")
        .isEqualTo(1);
  }

  @Test
  void aReconfigureWithoutTargetsOrPolicyIsIgnoredAndTheWatchdogKeepsChecking() {
    Target group = new ConsumerGroupTarget("demo", "orders-consumer", "orders", "orders");
    when(kit.kafka.consumerGroupLag(any())).thenReturn(lag("orders", 10, "orders", 6));
    kit.start();
    HealthWatchdog watchdog = watchdog("kafka");
    WorkflowClient.start(
        watchdog::watch,
        new WatchdogInput("kafka", List.of(group), RemediationTestKit.policy(), 0, Map.of()));
    kit.env.sleep(Duration.ofSeconds(5));
    // What `opsflow signal watchdog-kafka reconfigure --input '{}'` sends.
    watchdog.reconfigure(new WatchdogInput(null, null, null, 0, null));
    kit.env.sleep(Duration.ofSeconds(130));

    WatchdogStatus status = watchdog.status();
    assertThat(status.iteration()).isGreaterThanOrEqualTo(3);
    assertThat(status.errors()).anySatisfy(e -> assertThat(e).contains("reconfigure ignored"));
  }
}
