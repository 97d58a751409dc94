package dev.opsflow.workflows.remediation;

import static dev.opsflow.workflows.remediation.RemediationTestKit.deployment;
import static dev.opsflow.workflows.remediation.RemediationTestKit.firing;
import static dev.opsflow.workflows.remediation.RemediationTestKit.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.opsflow.activities.notify.SlackMessage;
import dev.opsflow.activities.notify.SlackPosted;
import dev.opsflow.contracts.human.ApprovalPolicy;
import dev.opsflow.contracts.human.Decision;
import dev.opsflow.contracts.human.EscalationStep;
import dev.opsflow.contracts.human.HumanPolicy;
import dev.opsflow.contracts.human.OperatorNames;
import dev.opsflow.contracts.remediation.GovernorNames;
import dev.opsflow.contracts.remediation.GovernorState;
import dev.opsflow.contracts.remediation.HealingPolicy;
import dev.opsflow.contracts.remediation.RemediationOutcome;
import dev.opsflow.contracts.remediation.RemediationRequest;
import dev.opsflow.contracts.remediation.RemediationStatus.Phase;
import dev.opsflow.contracts.remediation.Target;
import dev.opsflow.contracts.remediation.WorkloadTarget;
import dev.opsflow.workflows.WorkflowCatalog;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every failure ends in a decision: whatever the procedure did not expect ends the run FAILED with
 * the reason, tells humans (Slack and PagerDuty), and gives the governor slot back, instead of a
 * workflow task that Temporal retries forever while the alert vanishes.
 */
class FailuresEndInADecisionTest {
  private static final Target TARGET = new WorkloadTarget("demo", "checkout", "app", "");

  /**
   * A read's budget (schedule-to-close) of 5 s instead of 2 min: a local activity's budget passes
   * in real time even when the test skips time, and what is tested is the end of the budget, not
   * its length.
   */
  private final RemediationTestKit kit =
      new RemediationTestKit(
          WorkflowCatalog.OPTIONS.toBuilder()
              .setLocalActivityOptions(
                  Map.of(
                      "GetDeployment",
                      LocalActivityOptions.newBuilder()
                          .setScheduleToCloseTimeout(Duration.ofSeconds(5))
                          .build()))
              .build());

  private final List<String> slackTexts = new ArrayList<>();

  @AfterEach
  void close() {
    kit.close();
  }

  private RemediationRequest oom(HealingPolicy policy) {
    return RemediationTestKit.request(
        "OomRemediation",
        TARGET,
        "critical",
        policy,
        firing("KubePodOOMKilled", "2026-11-23T10:00:00Z"));
  }

  private void recordSlack() {
    when(kit.notify.postSlack(any()))
        .thenAnswer(
            inv -> {
              slackTexts.add(((SlackMessage) inv.getArgument(0)).text());
              return new SlackPosted("C1", "1700000000." + slackTexts.size(), false);
            });
  }

  private void assertFailedAndHumansTold(RemediationRequest request, String reason) {
    assertFailedBeforeAdmissionAndHumansTold(request, reason);
    GovernorState governor =
        kit.client
            .newUntypedWorkflowStub(GovernorNames.WORKFLOW_ID)
            .query("status", GovernorState.class);
    assertThat(governor.inFlight()).isEmpty();
  }

  /** The same, for a run that failed before it asked the governor for a slot. */
  private void assertFailedBeforeAdmissionAndHumansTold(RemediationRequest request, String reason) {
    RemediationOutcome outcome = kit.outcome(request);
    assertThat(outcome.result()).isEqualTo(Phase.FAILED);
    assertThat(outcome.detail()).contains(reason);
    assertThat(slackTexts).anySatisfy(t -> assertThat(t).contains("failed").contains(reason));
    verify(kit.notify, atLeastOnce())
        .pagerDuty(argThat(e -> e.dedupKey().equals(request.workflowId())));
    assertThat(kit.status(request).phase()).isEqualTo(Phase.FAILED);
    assertThat(kit.status(request).detail()).contains(reason);
    verify(kit.k8s, never()).setContainerMemory(any());
  }

  @Test
  void aReadThatFailsAfterALongApprovalWaitEscalatesAndReleasesTheSlot() {
    recordSlack();
    when(kit.k8s.listPods("demo", "app=checkout"))
        .thenReturn(List.of(pod("checkout-abc-1", "checkout", "", "OOMKilled")));
    when(kit.k8s.getDeployment("demo", "checkout"))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure(
                "deployments.apps \"checkout\" not found", "NotFound"));
    HumanPolicy approval =
        new HumanPolicy(
            new ApprovalPolicy(List.of("alice"), 1, false, 3 * 24 * 3600, "escalate"),
            List.of(),
            List.of(
                new EscalationStep(EscalationStep.SLACK, 0),
                new EscalationStep(EscalationStep.PAGERDUTY, 0)),
            false,
            3600);
    RemediationRequest request =
        oom(
            RemediationTestKit.policy()
                .withHumans(HumanPolicy.DEFAULT, Map.of("OomRemediation", approval)));
    kit.start();
    kit.dispatch(request);
    // Two days later, alice approves; then the Deployment turns out to be gone.
    kit.env.sleep(java.time.Duration.ofDays(2));
    kit.client
        .newUntypedWorkflowStub(request.workflowId())
        .signal(OperatorNames.APPROVE, new Decision("alice", "go"));

    assertFailedAndHumansTold(request, "deployments.apps \"checkout\" not found");
    dev.opsflow.workflows.RecordHistories.saveIfRecording(
        kit.client, "oom", "failed-after-approval", request.workflowId());
  }

  @Test
  void anEmptyPodListAfterAdmissionEscalates() {
    recordSlack();
    when(kit.k8s.listPods("demo", "app=checkout"))
        .thenReturn(List.of(pod("checkout-abc-1", "checkout", "", "OOMKilled")), List.of());
    when(kit.k8s.getDeployment("demo", "checkout"))
        .thenReturn(deployment("demo", "checkout", 1, "512Mi", "1Gi"));
    RemediationRequest request =
        RemediationTestKit.request(
            "OomRemediation",
            new WorkloadTarget("demo", "checkout", "", ""),
            "critical",
            RemediationTestKit.policy(),
            firing("KubePodOOMKilled", "2026-11-23T10:00:00Z"));
    kit.start();
    kit.dispatch(request);

    assertFailedAndHumansTold(request, "failed in phase");
  }

  @Test
  void anUnparsableQuantityEscalates() {
    recordSlack();
    when(kit.k8s.listPods("demo", "app=checkout"))
        .thenReturn(List.of(pod("checkout-abc-1", "checkout", "", "OOMKilled")));
    when(kit.k8s.getDeployment("demo", "checkout"))
        .thenReturn(deployment("demo", "checkout", 1, "512Mi", "lots"));
    RemediationRequest request = oom(RemediationTestKit.policy());
    kit.start();
    kit.dispatch(request);

    assertFailedAndHumansTold(request, "lots");
  }

  @Test
  void anActivityThatNeverSucceedsBeforeItsTimeoutEscalates() {
    recordSlack();
    when(kit.k8s.listPods("demo", "app=checkout"))
        .thenReturn(List.of(pod("checkout-abc-1", "checkout", "", "OOMKilled")));
    when(kit.k8s.getDeployment("demo", "checkout"))
        .thenAnswer(
            inv -> {
              // Fails on every attempt until READ_K8S's schedule-to-close timeout ends the retries.
              Thread.sleep(300);
              throw ApplicationFailure.newFailure("connect timed out", "Unavailable");
            });
    RemediationRequest request = oom(RemediationTestKit.policy());
    kit.start();
    kit.dispatch(request);

    assertFailedAndHumansTold(request, "connect timed out");
  }

  @Test
  void aClusterThatStaysUnreachableEndsTheReadsRetriesAndTellsHumansTheReason() {
    recordSlack();
    // Each attempt fails as the adapter reports an API server that does not answer. The retries
    // wait on timers (skipped here), so only the bound on attempts ends them: a local activity's
    // budget passes in real time, and without the bound this read was tried about 15,000 times in
    // 100 s here (on the dev stack: forever) before anyone heard of it.
    when(kit.k8s.listPods("demo", "app=checkout"))
        .thenThrow(
            ApplicationFailure.newFailure(
                "list pods in demo: the Kubernetes API server did not answer (ConnectException)",
                "KubernetesUnavailable"));
    RemediationRequest request = oom(RemediationTestKit.policy());
    kit.start();
    kit.dispatch(request);

    assertFailedBeforeAdmissionAndHumansTold(request, "the Kubernetes API server did not answer");
    verify(kit.k8s, times(10)).listPods("demo", "app=checkout");
  }
}
