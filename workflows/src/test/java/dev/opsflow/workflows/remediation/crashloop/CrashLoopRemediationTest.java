package dev.opsflow.workflows.remediation.crashloop;

import static dev.opsflow.workflows.remediation.RemediationTestKit.deployment;
import static dev.opsflow.workflows.remediation.RemediationTestKit.firing;
import static dev.opsflow.workflows.remediation.RemediationTestKit.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.opsflow.activities.kubernetes.RestartResult;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationSignals;
import dev.opsflow.contracts.remediation.RemediationStatus.Phase;
import dev.opsflow.contracts.remediation.Target;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import dev.opsflow.contracts.run.AlertNotice;
import dev.opsflow.workflows.RecordHistories;
import dev.opsflow.workflows.remediation.RemediationTestKit;
import io.grpc.Deadline;
import io.temporal.api.enums.v1.EventType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CrashLoopRemediationTest {
  private static final Target TARGET = new WorkloadTarget("demo", "payments", "", "");
  private final RemediationTestKit kit = new RemediationTestKit();

  @AfterEach
  void close() {
    kit.close();
  }

  @Test
  void aBatchOfPodNoticesIsOneSignalCountingEachEpisodeAndRestartsOnce() {
    when(kit.k8s.listPods("demo", "app=payments"))
        .thenReturn(
            List.of(pod("payments-x-1", "payments", "CrashLoopBackOff", "Error")),
            List.of(pod("payments-y-1", "payments", "", "")));
    when(kit.k8s.rolloutRestart(any())).thenReturn(new RestartResult("2026-11-23T10:00:05Z", true));
    when(kit.k8s.waitForRollout(any(), any(), anyLong()))
        .thenReturn(deployment("demo", "payments", 1, "256Mi", "512Mi"));
    kit.start();
    List<RemediationRequest> pods = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      pods.add(
          RemediationTestKit.request(
              "CrashLoopRemediation",
              TARGET,
              "critical",
              RemediationTestKit.policy(),
              new AlertNotice(
                  "KubePodCrashLooping",
                  AlertNotice.FIRING,
                  "fp-payments-" + i,
                  "2026-11-23T10:00:00Z",
                  Map.of("alertname", "KubePodCrashLooping", "pod", "payments-x-" + i),
                  Map.of(),
                  "alertmanager")));
    }
    pods.add(pods.get(0)); // an HA pair's copy of the first pod's alert

    kit.dispatcher.dispatchFiring(pods, Deadline.after(30, TimeUnit.SECONDS)).join();
    RemediationOutcome outcome = kit.outcome(pods.get(0));

    assertThat(outcome.result()).isEqualTo(Phase.FIXED);
    verify(kit.k8s, times(1)).rolloutRestart(any());
    assertThat(kit.status(pods.get(0)).notices()).as("five pods, five episodes").isEqualTo(5);
    List<String> signals =
        kit.client.fetchHistory(pods.get(0).workflowId()).getEvents().stream()
            .filter(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
            .map(e -> e.getWorkflowExecutionSignaledEventAttributes().getSignalName())
            .toList();
    assertThat(signals).contains(RemediationSignals.NOTICES_FIRED);
    assertThat(signals).filteredOn(RemediationSignals.NOTICES_FIRED::equals).hasSize(1);
    RecordHistories.saveIfRecording(
        kit.client, "crashloop", "restarted-from-a-batch-of-pod-notices", pods.get(0).workflowId());
  }

  @Test
  void fiftyNotificationsOfOneProblemRestartOnce() {
    when(kit.k8s.listPods("demo", "app=payments"))
        .thenReturn(
            List.of(pod("payments-x-1", "payments", "CrashLoopBackOff", "Error")),
            List.of(pod("payments-y-1", "payments", "", "")));
    when(kit.k8s.rolloutRestart(any())).thenReturn(new RestartResult("2026-11-23T10:00:05Z", true));
    when(kit.k8s.waitForRollout(any(), any(), anyLong()))
        .thenReturn(deployment("demo", "payments", 1, "256Mi", "512Mi"));
    kit.start();
    RemediationRequest request =
        RemediationTestKit.request(
            "CrashLoopRemediation",
            TARGET,
            "critical",
            RemediationTestKit.policy(),
            firing("KubePodCrashLooping", "2026-11-23T10:00:00Z"));
    for (int i = 0; i < 50; i++) {
      kit.dispatch(request); // Alertmanager resends of the same episode
    }

    RemediationOutcome outcome = kit.outcome(request);

    assertThat(outcome.result()).isEqualTo(Phase.FIXED);
    verify(kit.k8s, times(1)).rolloutRestart(any());
    assertThat(kit.status(request).notices()).isEqualTo(1);
  }

  @Test
  void podsThatStillLoopAfterTheRestartEscalate() {
    when(kit.k8s.listPods("demo", "app=payments"))
        .thenReturn(List.of(pod("payments-x-1", "payments", "CrashLoopBackOff", "Error")));
    when(kit.k8s.rolloutRestart(any())).thenReturn(new RestartResult("2026-11-23T10:00:05Z", true));
    when(kit.k8s.waitForRollout(any(), any(), anyLong()))
        .thenReturn(deployment("demo", "payments", 1, "256Mi", "512Mi"));
    kit.start();
    RemediationRequest request =
        RemediationTestKit.request(
            "CrashLoopRemediation",
            TARGET,
            "critical",
            RemediationTestKit.policy(),
            firing("KubePodCrashLooping", "2026-11-23T10:00:00Z"));
    kit.dispatch(request);

    RemediationOutcome outcome = kit.outcome(request);

    assertThat(outcome.result()).isEqualTo(Phase.ESCALATED);
    assertThat(outcome.detail()).contains("still crash-loop");
    verify(kit.k8s, times(1)).rolloutRestart(any());
  }
}
