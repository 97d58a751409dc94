package dev.opsflow.workflows.remediation.oom;

import static dev.opsflow.workflows.remediation.RemediationTestKit.deployment;
import static dev.opsflow.workflows.remediation.RemediationTestKit.firing;
import static dev.opsflow.workflows.remediation.RemediationTestKit.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.opsflow.activities.kubernetes.MemoryResult;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationStatus.Phase;
import dev.opsflow.contracts.remediation.Target;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import dev.opsflow.workflows.remediation.RemediationTestKit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OomRemediationTest {
  private static final Target TARGET = new WorkloadTarget("demo", "checkout", "app", "");
  private final RemediationTestKit kit = new RemediationTestKit();

  @AfterEach
  void close() {
    kit.close();
  }

  private static HealingPolicy doubling() {
    HealingPolicy p = RemediationTestKit.policy();
    return new HealingPolicy(
        p.kafkaLagThreshold(),
        p.kafkaLagPerReplica(),
        p.postgresConnThreshold(),
        p.diskSpaceThreshold(),
        p.minReplicas(),
        p.maxReplicas(),
        p.checkIntervalSeconds(),
        p.actionCooldownSeconds(),
        p.settleSeconds(),
        p.confirmHighSeconds(),
        p.confirmMediumSeconds(),
        p.confirmLowSeconds(),
        p.idleSessionAgeSeconds(),
        p.logMaxAgeDays(),
        p.logPaths(),
        2.0,
        p.memoryRaiseMinStep(),
        p.memoryCeiling(),
        p.maxInFlight(),
        p.maxInFlightPerNamespace(),
        p.admissionTimeoutSeconds(),
        p.humanDefault(),
        p.humans());
  }

  private void oomKilledCheckout(String limit) {
    when(kit.k8s.listPods("demo", "app=checkout"))
        .thenReturn(List.of(pod("checkout-abc-1", "checkout", "", "OOMKilled")));
    when(kit.k8s.getDeployment("demo", "checkout"))
        .thenReturn(deployment("demo", "checkout", 1, "512Mi", limit));
    when(kit.k8s.waitForRollout(any(), any(), anyLong()))
        .thenReturn(deployment("demo", "checkout", 1, "1Gi", "2Gi"));
  }

  @Test
  void raisesTheLimitOnceAndASecondOomInsideTheCooldownEscalates() {
    oomKilledCheckout("1Gi");
    when(kit.k8s.setContainerMemory(any()))
        .thenReturn(new MemoryResult("512Mi", "1Gi", "1Gi", "2Gi", true));
    RemediationRequest request =
        RemediationTestKit.request(
            "OomRemediation",
            TARGET,
            "critical",
            doubling(),
            firing("KubePodOOMKilled", "2026-11-23T10:00:00Z"));
    // The raised pods come up running; then one is OOMKilled again and Alertmanager sends a new
    // episode, which started after the action: the problem came back inside the cooldown.
    when(kit.k8s.listPods("demo", "app=checkout"))
        .thenReturn(
            List.of(pod("checkout-abc-1", "checkout", "", "OOMKilled")),
            List.of(pod("checkout-def-1", "checkout", "", "")));
    when(kit.k8s.waitForRollout(any(), any(), anyLong()))
        .thenAnswer(
            call -> {
              kit.dispatch(
                  RemediationTestKit.request(
                      "OomRemediation",
                      TARGET,
                      "critical",
                      doubling(),
                      firing(
                          "KubePodOOMKilled",
                          java.time.Instant.ofEpochMilli(kit.env.currentTimeMillis() + 1000)
                              .toString())));
              return deployment("demo", "checkout", 1, "1Gi", "2Gi");
            });
    kit.start();
    kit.dispatch(request);

    RemediationOutcome outcome = kit.outcome(request);

    verify(kit.k8s, times(1))
        .setContainerMemory(
            argThat(
                m ->
                    m.memoryLimit().equals("2Gi")
                        && m.memoryRequest().equals("1Gi")
                        && m.container().equals("app")));
    assertThat(outcome.result()).isEqualTo(Phase.ESCALATED);
    assertThat(outcome.detail()).contains("came back within the cooldown");
    verify(kit.notify).pagerDuty(argThat(e -> e.dedupKey().equals(request.workflowId())));
  }

  @Test
  void atTheCeilingItEscalatesWithoutRaising() {
    oomKilledCheckout("8Gi");
    kit.start();
    RemediationRequest request =
        RemediationTestKit.request(
            "OomRemediation",
            TARGET,
            "critical",
            doubling(),
            firing("KubePodOOMKilled", "2026-11-23T10:00:00Z"));
    kit.dispatch(request);

    RemediationOutcome outcome = kit.outcome(request);

    assertThat(outcome.result()).isEqualTo(Phase.ESCALATED);
    assertThat(outcome.detail()).contains("memory ceiling 8Gi");
    verify(kit.k8s, never()).setContainerMemory(any());
  }
}
